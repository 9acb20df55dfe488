// The router in front of the REAL OpenClaw gateway (scripts/images/build-gateway-image.sh), which
// runs in trusted-proxy mode trusting only the router's address: after single sign-on the owner gets
// /healthz, the detailed /readyz (the gateway accepted the router's identity header), the Control UI
// and a WebSocket session with the owner's identity scopes, with no token typed and no pairing step.
// Another signed-in user is refused; a visitor who is not signed in is sent to sign in and back.
import t from 'tap'
import { authHeaders, signUp } from '../helpers/auth.js'
import { docker as dockerEngine, dockerImage, requireComponents } from '../helpers/components.js'
import { docker } from '../helpers/docker.js'
import { cookieHeader, openWebSocket, request } from '../helpers/local-hosts.js'
import { BROWSER, buildRouterApp, connectAsControlUi, createInstance, removeTenantResources, signInOnInstance } from '../helpers/routing.js'

const VERSION = process.env.OPENCLAW_VERSION ?? '2026.9.6'
const IMAGE = process.env.OPENCLAW_GATEWAY_IMAGE ?? `openclaw-cloud/openclaw:${VERSION}`
const GIB = 1024 ** 3
// 20-50 s to /readyz on a quiet 2-vCPU host (docs/openclaw-gateway.md); minutes when six suites share it.
const START_TIMEOUT_MS = Number(process.env.OPENCLAW_GATEWAY_START_TIMEOUT_MS ?? 300_000)
t.setTimeout(START_TIMEOUT_MS + 120_000)


t.test('the real OpenClaw gateway through the router', { timeout: START_TIMEOUT_MS + 90_000 }, async (t) => {
  if (!(await requireComponents(t, dockerEngine, dockerImage(IMAGE)))) return
  const cleanup: string[] = []
  t.teardown(async () => { for (const id of cleanup) await removeTenantResources(id) })
  const app = await buildRouterApp(t, { tenantPlans: { basic: { memory: 2 * GIB, cpus: 2, pids: 512, image: IMAGE } }, tenantStartTimeout: START_TIMEOUT_MS })
  const alice = await signUp(app)
  const mallory = await signUp(app)
  const instance = await createInstance(app, alice, 'basic', cleanup)
  if (instance.events.at(-1) !== 'routable') t.comment(await docker('logs', '--tail', '60', `openclaw-tenant-${instance.id}`).catch((err: Error) => err.message))
  t.equal(instance.events.at(-1), 'routable', instance.events.join(' '))
  const origin = instance.url

  // Not signed in: HTTP-level redirect to the console and back (the browser test comes with the UI).
  const anonymous = await request(`${origin}/`, { headers: BROWSER })
  t.equal(anonymous.status, 302)
  t.match(anonymous.headers.location, `${app.config.publicUrl}/api/routing/authorize?`)
  const signIn = await request(anonymous.headers.location!, { headers: BROWSER })
  t.equal(signIn.status, 302)
  t.match(signIn.headers.location, `${app.config.publicUrl}/sign-in?returnTo=`)
  const trip = await signInOnInstance(origin, alice.cookie)
  t.equal(trip.final.status, 302)
  t.equal(trip.final.location, '/')
  const cookie = cookieHeader(trip.jar)

  const health = await request(`${origin}/healthz`, { headers: { cookie } })
  t.equal(health.status, 200, health.body)
  t.match(JSON.parse(health.body), { ok: true })

  const ready = await request(`${origin}/readyz`, { headers: { cookie, 'x-forwarded-user': mallory.email } })
  t.equal(ready.status, 200, ready.body)
  const readiness = JSON.parse(ready.body) as { ready: boolean, failing?: unknown }
  t.ok(Array.isArray(readiness.failing), `the gateway took the router's identity (the owner's detailed view), not the client's header: ${ready.body}`)

  const ui = await request(`${origin}/`, { headers: { ...BROWSER, cookie } })
  t.equal(ui.status, 200)
  t.match(ui.headers['content-type'], /text\/html/)
  t.match(ui.body, /<!doctype html>/i)
  t.match(ui.body, /<title>OpenClaw Control<\/title>/, 'the Control UI page')
  // The page names its build (the gateway's build id, then its assets' hash); the UI sends the
  // gateway's part in `connect`, and the gateway refuses a stale UI with PROTOCOL_MISMATCH.
  const pageBuild = /data-openclaw-control-ui-build-id="([^"]+)"/.exec(ui.body)?.[1]
  t.ok(pageBuild, `the Control UI build id: ${pageBuild}`)
  const buildId = pageBuild?.replace(/-[0-9a-f]{64}$/, '')

  // The Control UI's WebSocket: a device-less browser session is admitted on the proxy identity and
  // gets the owner's identityScopes (operator.admin) without a token or a pairing request.
  const { challenge, hello } = await connectAsControlUi(t, origin, cookie, buildId, 'routing-test')
  t.equal(challenge.event, 'connect.challenge', JSON.stringify(challenge))
  t.equal(hello.ok, true, JSON.stringify(hello).slice(0, 500))
  t.equal(hello.payload?.type, 'hello-ok')
  const auth = hello.payload?.auth as { role?: string, scopes?: string[] } | undefined
  t.equal(auth?.role, 'operator')
  t.ok(auth?.scopes?.includes('operator.admin'), `authenticated as the owner, with the owner's scopes: ${JSON.stringify(auth)}`)

  // Another signed-in user: refused at sign-on, and with a token.
  const refused = await signInOnInstance(origin, mallory.cookie)
  t.equal(refused.final.status, 403)
  t.match((await request(`${origin}/`, { headers: { ...BROWSER, authorization: `Bearer ${mallory.accessToken}` } })).body, /Not your instance/)
  await t.rejects(openWebSocket(`${origin.replace(/^http/, 'ws')}/`, { authorization: `Bearer ${mallory.accessToken}`, origin }), /403/)
  t.equal((await app.inject({ method: 'GET', url: `/api/tenants/${instance.id}`, headers: authHeaders(alice) })).json().status, 'running')
})
