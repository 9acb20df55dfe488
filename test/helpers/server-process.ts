// The real `openclaw-cloud serve` in a child process on a SQLite file in a temporary directory, for
// tests that kill it, restart it or talk to it over HTTP as an outside program (worker agent, scripts).
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { tempDir, type TestContext } from './app.js'
import { freePort, startCli, waitForHttp, type RunningProcess } from './process.js'

export interface ServerProcess {
  url: string
  dataDir: string
  /** The current process; replaced by `restart`. */
  process: () => RunningProcess
  /** SIGKILL: no shutdown hooks run, as when the machine loses power. */
  kill: () => Promise<void>
  /** Starts the server again on the same port, data directory and config. */
  restart: () => Promise<void>
}

export interface ServerProcessOptions {
  /** Written to the config file (keys as in README's second column). */
  config: Record<string, unknown>
  /** Extra environment variables. */
  env?: NodeJS.ProcessEnv
  plugins?: string[]
}

export async function startServerProcess (t: TestContext, options: ServerProcessOptions): Promise<ServerProcess> {
  const dataDir = await tempDir(t, 'openclaw-cloud-server-')
  const configFile = path.join(dataDir, 'openclaw-cloud.json')
  await writeFile(configFile, JSON.stringify({ passwordHashCost: 10, ...options.config }))
  // A port given in `env` is kept (e.g. named in the other settings of a cluster node).
  const port = options.env?.PORT === undefined ? await freePort() : Number(options.env.PORT)
  const url = `http://127.0.0.1:${port}`
  const env: NodeJS.ProcessEnv = {
    OPENCLAW_CLOUD_CONFIG: configFile,
    OPENCLAW_CLOUD_DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: url,
    LOG_LEVEL: 'warn',
    OPENCLAW_CLOUD_PLUGINS: (options.plugins ?? ['oauth', 'scheduler', 'tenants']).join(','),
    ...options.env
  }
  let current: RunningProcess
  const start = async (): Promise<void> => {
    current = startCli(['serve'], env, dataDir)
    const exited = current.finished.then((result) => { throw new Error(`server exited (${result.code ?? result.signal}) before it answered:\n${result.stdout}${result.stderr}`) })
    await Promise.race([waitForHttp(`${url}/health`, 60_000), exited])
    exited.catch(() => undefined)
  }
  const kill = async (): Promise<void> => {
    if (current.child.exitCode !== null || current.child.signalCode !== null) return
    current.child.kill('SIGKILL')
    await current.finished
  }
  await start()
  t.teardown(async () => {
    if (current.child.exitCode !== null || current.child.signalCode !== null) return
    current.child.kill('SIGTERM')
    await current.finished
  })
  return { url, dataDir, process: () => current, kill, restart: start }
}

export interface ApiUser { email: string, password: string, accessToken: string }

/** Registers a local account over HTTP and signs in for an access token (no SMTP: no verification). */
export async function registerUser (baseUrl: string, email: string): Promise<ApiUser> {
  const password = `pw-${Math.random().toString(36).slice(2)}-${Date.now()}`
  const registered = await fetch(`${baseUrl}/api/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) })
  if (registered.status !== 202) throw new Error(`register ${email}: ${registered.status} ${await registered.text()}`)
  return { email, password, accessToken: await signIn(baseUrl, email, password) }
}

/** Signs in with the password grant; answers the access token (it carries the roles held now). */
export async function signIn (baseUrl: string, email: string, password: string): Promise<string> {
  const token = await fetch(`${baseUrl}/api/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'password', email, password }) })
  if (!token.ok) throw new Error(`token for ${email}: ${token.status} ${await token.text()}`)
  return (await token.json() as { access_token: string }).access_token
}

/** A JSON API call with a Bearer token; returns the status and the parsed body. */
export async function api<T = Record<string, unknown>> (baseUrl: string, token: string, method: string, url: string, body?: unknown): Promise<{ status: number, body: T }> {
  const res = await fetch(`${baseUrl}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const text = await res.text()
  return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as T }
}
