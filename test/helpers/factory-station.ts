// A real server process with the oauth and devices plugins, and accounts made on it the way a factory
// operator would: over HTTP, with the first admin from ADMIN_EMAILS.
import { randomBytes } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { generateClaimCode, hashClaimCode } from '../../protocol/claim-code.js'
import { generateDeviceId } from '../../protocol/device-id.js'
import { exportPublicKeyRaw, generateDeviceKeyPair } from '../../protocol/device-keys.js'
import type { TestContext } from './app.js'
import { api, registerUser, signIn, startServerProcess, type ServerProcess } from './server-process.js'

export interface FactoryServer extends ServerProcess { adminEmail: string }

/** Starts the server on free ports (HTTP and MQTT) with its own SQLite data directory; stopped after the test. */
export async function startServer (t: TestContext, env: NodeJS.ProcessEnv = {}): Promise<FactoryServer> {
  const adminEmail = 'admin@factory.example'
  const server = await startServerProcess(t, {
    config: {},
    plugins: ['oauth', 'devices'],
    env: { MQTT_HOST: '127.0.0.1', MQTT_PORT: '0', ADMIN_EMAILS: adminEmail, ...env }
  })
  return { ...server, adminEmail }
}

/** Registers an account and signs in; answers its access token. */
export async function accountToken (server: ServerProcess, email: string): Promise<string> {
  return (await registerUser(server.url, email)).accessToken
}

async function expectOk<T> (call: Promise<{ status: number, body: T }>, what: string): Promise<T> {
  const { status, body } = await call
  if (status < 200 || status >= 300) throw new Error(`${what} answered ${status}: ${JSON.stringify(body)}`)
  return body
}

/**
 * A factory station's API token: the admin gives a new account the factory role, and that account
 * creates a personal API token with scope factory:register (POST /api/tokens).
 */
export async function factoryApiToken (server: FactoryServer): Promise<string> {
  const admin = await accountToken(server, server.adminEmail)
  const email = `station-${randomBytes(3).toString('hex')}@factory.example`
  const station = await registerUser(server.url, email)
  const { users } = await expectOk(api<{ users: Array<{ id: string }> }>(server.url, admin, 'GET', `/api/admin/users?email=${encodeURIComponent(email)}`), 'listing users')
  await expectOk(api(server.url, admin, 'PATCH', `/api/admin/users/${users[0]!.id}`, { roles: ['factory'] }), 'granting the factory role')
  // Roles are read at sign-in: the station signs in again to carry the factory role.
  const signedIn = await signIn(server.url, station.email, station.password)
  return (await expectOk(api<{ token: string }>(server.url, signedIn, 'POST', '/api/tokens', { name: 'factory station', scopes: ['factory:register'] }), 'creating the API token')).token
}

export interface RegisteredBox { id: string, keys: { publicKey: KeyObject, privateKey: KeyObject }, code: string, status: number }

/** A new box as a factory station registers it through `server` (batch `<label>-<id>`); `status` is the API's answer. */
export async function registerBoxThroughFactory (server: FactoryServer, label: string): Promise<RegisteredBox> {
  const id = generateDeviceId()
  const keys = generateDeviceKeyPair()
  const code = generateClaimCode()
  const registered = await fetch(`${server.url}/api/factory/batches`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await factoryApiToken(server)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ batchId: `${label}-${id.slice(4)}`, model: 'OpenClaw Box v1', devices: [{ deviceId: id, publicKey: exportPublicKeyRaw(keys.publicKey), claimCodeHash: await hashClaimCode(code) }] })
  })
  return { id, keys, code, status: registered.status }
}
