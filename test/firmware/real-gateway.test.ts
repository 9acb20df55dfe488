// The REAL OpenClaw gateway on a simulated box: the box's supervisor runs an installed OpenClaw
// version (Node 24, the openclaw tree cached by scripts/images/build-gateway-image.sh) with the
// `openclaw.json` the box writes — trusted-proxy auth trusting only the tunnel on loopback — and the
// signed-in owner reaches it through the server's router over the box's tunnel: /healthz, the
// Control UI, and a WebSocket `connect` admitted as the owner with the owner's scopes, no token typed.
import { execFile } from 'node:child_process'
import { access, mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { createGatewayVersions, DEFAULT_INSTALL, gatewayRoot } from '../../firmware/gateway/versions.js'
import { devices } from '../../plugins/devices/index.js'
import { configTopic } from '../../protocol/topics.js'
import { boxSlug } from '../../protocol/tunnel.js'
import { instanceUrl } from '../../server/config.js'
import { registeredBoxCredentials } from '../devices/helpers.js'
import { tempDir } from '../helpers/app.js'
import { signUp } from '../helpers/auth.js'
import { startSimulatedBox, until } from '../helpers/box-app.js'
import { requireComponents, type Component } from '../helpers/components.js'
import { cookieHeader, freePort, request } from '../helpers/local-hosts.js'
import { BROWSER, buildRouterApp, connectAsControlUi, signInOnInstance } from '../helpers/routing.js'

const run = promisify(execFile)
const CACHE = process.env.OPENCLAW_CLOUD_CACHE ?? '/var/cache/openclaw-cloud'
const VERSION = process.env.OPENCLAW_VERSION ?? '2026.9.6'
const NODE24_VERSION = process.env.NODE24_VERSION ?? '24.22.3'
const NODE24 = join(CACHE, 'node', NODE24_VERSION, 'package', 'bin', 'node')
/** The `npm install --global --prefix` tree the image build caches: the layout of a box's installed version. */
const OPENCLAW_TREE = join(CACHE, 'openclaw', `${VERSION}-node${NODE24_VERSION}`)
// 20-50 s to /healthz on a quiet 2-vCPU host (docs/openclaw-gateway.md); minutes when suites share it.
const START_TIMEOUT_MS = Number(process.env.OPENCLAW_GATEWAY_START_TIMEOUT_MS ?? 300_000)
t.setTimeout(START_TIMEOUT_MS + 120_000)

const fileComponent = (name: string, path: string): Component => ({ name: `${name} at ${path} (scripts/build-images.sh gateway makes it)`, probe: () => access(path) })


t.test('the owner reaches the real OpenClaw gateway on their box through the tunnel', { timeout: START_TIMEOUT_MS + 90_000 }, async (t) => {
  if (!(await requireComponents(t, fileComponent('Node 24', NODE24), fileComponent(`openclaw ${VERSION}`, join(OPENCLAW_TREE, 'lib', 'node_modules', 'openclaw', 'openclaw.mjs'))))) return
  const app = await buildRouterApp(t, { mqttHost: '127.0.0.1', mqttPort: 0 }, [devices])
  const dir = await tempDir(t, 'box-openclaw-')
  const { file, credentials } = await registeredBoxCredentials(app, dir)
  const id = credentials.deviceId
  const owner = await signUp(app)
  await app.devices.claims.claimApprovedByDeviceFlow(owner.user.id, id)
  const origin = instanceUrl(app.config, boxSlug(id))

  // The version as the box installs it (versions/<v> + `current`), from the cached tree: hard links, instant.
  const dataDir = join(dir, 'data')
  const versions = createGatewayVersions(gatewayRoot(dataDir), DEFAULT_INSTALL)
  await mkdir(join(gatewayRoot(dataDir), 'versions'), { recursive: true })
  await run('cp', ['-al', OPENCLAW_TREE, join(gatewayRoot(dataDir), 'versions', VERSION)])
  await versions.activate(VERSION)

  // What the cloud tells the box about its owner: who may in (the identity the router sends), with
  // which session scopes, and the Control UI's origin.
  const claimed = await app.devices.claims.desiredConfig((await app.devices.find(id))!)
  await app.devices.broker.publish({
    topic: configTopic(id),
    qos: 1,
    retain: true,
    payload: Buffer.from(JSON.stringify({
      ...claimed,
      version: claimed.version + 1,
      gateway: {
        settings: {
          gateway: {
            auth: { identityScopes: { [owner.email]: ['operator.admin'] }, trustedProxy: { allowUsers: [owner.email] } },
            controlUi: { allowedOrigins: [origin] }
          }
        }
      }
    }))
  })

  const gatewayPort = await freePort()
  const box = await startSimulatedBox(t, file, dataDir, {
    gateway: {
      command: NODE24,
      args: ['{package}/openclaw.mjs', 'gateway', '--port', String(gatewayPort)],
      port: gatewayPort,
      healthPath: '/healthz',
      install: { ...DEFAULT_INSTALL, healthTimeoutMs: START_TIMEOUT_MS }
    }
  })
  await fetch(`${box.setupUrl}api/wifi`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ssid: 'HomeNet', password: 'correct horse battery' }) })
  await box.whenState('claimed', 30_000)
  const started = Date.now()
  await box.gateway!.whenHealthy(START_TIMEOUT_MS).catch((err: Error) => {
    t.comment(box.gateway!.logs().slice(-40).join('\n'))
    throw err
  })
  t.comment(`OpenClaw ${VERSION} answered /healthz ${Math.round((Date.now() - started) / 1000)} s after the box was claimed`)
  const written = JSON.parse(await readFile(join(gatewayRoot(dataDir), 'home', '.openclaw', 'openclaw.json'), 'utf8')) as unknown
  t.match(written, { gateway: { bind: 'loopback', trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { allowLoopback: true, allowUsers: [owner.email] } } } }, 'the box configured trusted-proxy auth trusting only the tunnel')
  await until('the box\'s tunnel', () => app.instanceRouter.tunnels?.sessions === 1, 30_000)
  await until('the cloud to know the gateway version', async () => { await app.devices.presence.flush(); return (await app.devices.find(id))?.gatewayVersion === VERSION })

  const trip = await signInOnInstance(origin, owner.cookie)
  t.equal(trip.final.location, '/', 'the owner signs in through the console')
  const cookie = cookieHeader(trip.jar)

  const health = await request(`${origin}/healthz`, { headers: { cookie } })
  t.equal(health.status, 200, health.body)
  t.match(JSON.parse(health.body), { ok: true })

  const readyz = async (): Promise<{ ready?: boolean, failing?: unknown }> => JSON.parse((await request(`${origin}/readyz`, { headers: { cookie } })).body) as { ready?: boolean, failing?: unknown }
  const detailed = await readyz()
  t.ok(Array.isArray(detailed.failing), `the gateway took the router's identity through the tunnel (the owner's detailed view): ${JSON.stringify(detailed)}`)
  // Until its startup work is done the gateway answers `connect` with "gateway starting; retry shortly".
  await until('the gateway to be ready', async () => (await readyz()).ready === true, START_TIMEOUT_MS)

  const ui = await request(`${origin}/`, { headers: { ...BROWSER, cookie } })
  t.equal(ui.status, 200)
  t.match(ui.headers['content-type'], /text\/html/)
  t.match(ui.body, /<title>OpenClaw Control<\/title>/, 'the Control UI page')
  const buildId = /data-openclaw-control-ui-build-id="([^"]+)"/.exec(ui.body)?.[1]?.replace(/-[0-9a-f]{64}$/, '')
  t.ok(buildId, `the Control UI build id: ${buildId}`)

  const { challenge, hello } = await connectAsControlUi(t, origin, cookie, buildId, 'box-test')
  t.equal(challenge.event, 'connect.challenge', JSON.stringify(challenge))
  t.equal(hello.ok, true, JSON.stringify(hello).slice(0, 500))
  t.equal(hello.payload?.type, 'hello-ok')
  const auth = hello.payload?.auth as { method?: string, role?: string, scopes?: string[] } | undefined
  t.equal(auth?.method, 'trusted-proxy', 'admitted on the identity the router sent through the tunnel')
  t.equal(auth?.role, 'operator')
  t.ok(auth?.scopes?.includes('operator.admin'), `admitted as the owner, with the owner's scopes, no token: ${JSON.stringify(auth)}`)

  // Straight to the gateway on the box, not through the tunnel's proxy path: no identity, no admission.
  const direct = await fetch(`http://127.0.0.1:${gatewayPort}/readyz`, { headers: { 'x-forwarded-user': owner.email } })
  const directBody = await direct.text()
  t.notOk(Array.isArray((JSON.parse(directBody) as { failing?: unknown }).failing), `a local request without the router's forwarding headers gets no owner view: ${direct.status} ${directBody}`)
  t.equal(box.gateway!.restarts, 0, 'the claim with the owner\'s settings started the gateway once, with them')
})
