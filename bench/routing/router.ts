// The bench's router, in a process of its own: the real server (oauth, devices, scheduler,
// tenants, routing) with one instance row pointing at the upstream, a signed-in owner, and a
// claimed box. Prints one JSON line with what the driver needs, then serves until SIGTERM.
//   tsx bench/routing/router.ts UPSTREAM_PORT ROUTER_PORT DIR
import path from 'node:path'
import { devices } from '../../plugins/devices/index.js'
import { sessionCookie } from '../../plugins/oauth/authenticate.js'
import { oauthPlugin } from '../../plugins/oauth/index.js'
import { routing } from '../../plugins/routing/index.js'
import { scheduler } from '../../plugins/scheduler/index.js'
import { Tenant } from '../../plugins/tenants/entities.js'
import { tenants } from '../../plugins/tenants/index.js'
import { generateClaimCode, hashClaimCode } from '../../protocol/claim-code.js'
import { generateDeviceId } from '../../protocol/device-id.js'
import { exportPrivateKeyPem, exportPublicKeyRaw, generateDeviceKeyPair } from '../../protocol/device-keys.js'
import { boxSlug } from '../../protocol/tunnel.js'
import { buildApp } from '../../server/app.js'
import { loadConfig } from '../../server/config.js'
import { cookieHeader } from '../../test/helpers/local-hosts.js'
import { signInOnInstance } from '../../test/helpers/routing.js'

export interface RouterReady {
  routerPort: number
  serverUrl: string
  instanceHost: string
  instanceCookie: string
  box: { deviceId: string, privateKeyPem: string, host: string, cookie: string }
}

const [upstreamPort, routerPort] = process.argv.slice(2, 4).map(Number)
const dir = process.argv[4]
if (upstreamPort === undefined || routerPort === undefined || dir === undefined) throw new Error('usage: router.ts UPSTREAM_PORT ROUTER_PORT DIR')
const config = await loadConfig({
  env: {},
  cwd: dir,
  overrides: { dataDir: dir, logLevel: 'silent', databaseUrl: 'sqlite::memory:', host: '127.0.0.1', port: routerPort, publicUrl: `http://localhost:${routerPort}`, appsDomain: 'localhost', dockerSocket: path.join(dir, 'no-docker.sock'), reconcileInterval: 3_600_000, passwordHashCost: 10, mqttHost: '127.0.0.1', mqttPort: 0, tunnelBandwidth: 0 }
})
const app = await buildApp({ config, installed: [oauthPlugin, devices, scheduler, tenants, routing], uiDir: path.join(dir, 'no-ui') })
await app.listen({ host: '127.0.0.1', port: routerPort })
const owner = await app.oauth.accounts.createUser({ email: 'owner@example.com', password: 'Xq7-router-bench-2026', verified: true })
const { token } = await app.oauth.sessions.create(owner.id, { ip: '127.0.0.1' })
const consoleCookie = `${sessionCookie(config).name}=${token}`
const em = app.orm.em.fork()
const tenant = em.create(Tenant, { id: 'bench', slug: 'bench', ownerId: owner.id, ownerEmail: owner.email, plan: 'free', workerId: 'none', desired: 'running', status: 'running', upstream: `http://127.0.0.1:${upstreamPort}`, createdAt: new Date(), updatedAt: new Date() } as Tenant)
await em.flush()
await app.instanceRouter.table.refresh(tenant.id)
const instanceHost = `bench.localhost:${routerPort}`

const deviceId = generateDeviceId()
const keys = generateDeviceKeyPair()
await app.devices.registerBatch({ batchId: 'bench', model: 'box-1', devices: [{ deviceId, publicKey: exportPublicKeyRaw(keys.publicKey), claimCodeHash: await hashClaimCode(generateClaimCode()) }] })
await app.devices.claims.claimApprovedByDeviceFlow(owner.id, deviceId)
const boxHost = `${boxSlug(deviceId)}.localhost:${routerPort}`

const ready: RouterReady = {
  routerPort,
  serverUrl: config.publicUrl,
  instanceHost,
  instanceCookie: cookieHeader((await signInOnInstance(`http://${instanceHost}`, consoleCookie)).jar),
  box: { deviceId, privateKeyPem: exportPrivateKeyPem(keys.privateKey), host: boxHost, cookie: cookieHeader((await signInOnInstance(`http://${boxHost}`, consoleCookie)).jar) }
}
console.log(JSON.stringify(ready))
process.once('SIGTERM', () => { app.close().then(() => process.exit(0), () => process.exit(1)) })
