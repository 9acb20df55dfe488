// A real server process with the oauth and devices plugins, and accounts made on it the way a factory
// operator would: over HTTP, with the first admin from ADMIN_EMAILS.
import { randomBytes } from 'node:crypto'
import { freePort, startCli, waitForHttp, type RunningProcess } from './process.js'
import { tempDir, type TestContext } from './app.js'

export interface ServerProcess {
  url: string
  process: RunningProcess
  adminEmail: string
}

const PASSWORD = `Station-${randomBytes(9).toString('base64url')}-7`

/** Starts the server on free ports (HTTP and MQTT) with its own SQLite data directory; stopped after the test. */
export async function startServer (t: TestContext, env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const dataDir = await tempDir(t)
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const adminEmail = 'admin@factory.example'
  const running = startCli(['serve'], {
    OPENCLAW_CLOUD_DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: url,
    MQTT_HOST: '127.0.0.1',
    MQTT_PORT: '0',
    OPENCLAW_CLOUD_PLUGINS: 'oauth,devices',
    ADMIN_EMAILS: adminEmail,
    PASSWORD_HASH_COST: '10',
    LOG_LEVEL: 'warn',
    ...env
  }, dataDir)
  t.teardown(async () => {
    running.child.kill('SIGTERM')
    await running.finished
  })
  await Promise.race([
    waitForHttp(`${url}/health`, 60_000),
    running.finished.then((exit) => { throw new Error(`server exited (${exit.code}) before answering:\n${exit.stderr}${exit.stdout}`) })
  ])
  return { url, process: running, adminEmail }
}

async function call<T> (url: string, init: { method?: string, token?: string, body?: unknown } = {}): Promise<T> {
  const response = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body)
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url} answered ${response.status}: ${text}`)
  return (text === '' ? undefined : JSON.parse(text)) as T
}

/** Registers an account and signs in; answers its access token. */
export async function accountToken (server: ServerProcess, email: string): Promise<string> {
  await call(`${server.url}/api/auth/register`, { body: { email, password: PASSWORD } })
  return (await call<{ access_token: string }>(`${server.url}/api/auth/token`, { body: { grant_type: 'password', email, password: PASSWORD } })).access_token
}

/**
 * A factory station's API token: the admin gives a new account the factory role, and that account
 * creates a personal API token with scope factory:register (POST /api/tokens).
 */
export async function factoryApiToken (server: ServerProcess): Promise<string> {
  const admin = await accountToken(server, server.adminEmail)
  const email = `station-${randomBytes(3).toString('hex')}@factory.example`
  await accountToken(server, email)
  const { users } = await call<{ users: Array<{ id: string, email: string }> }>(`${server.url}/api/admin/users?email=${encodeURIComponent(email)}`, { token: admin })
  await call(`${server.url}/api/admin/users/${users[0]!.id}`, { method: 'PATCH', token: admin, body: { roles: ['factory'] } })
  const station = (await call<{ access_token: string }>(`${server.url}/api/auth/token`, { body: { grant_type: 'password', email, password: PASSWORD } })).access_token
  return (await call<{ token: string }>(`${server.url}/api/tokens`, { token: station, body: { name: 'factory station', scopes: ['factory:register'] } })).token
}
