// An app with the router listening on a real port (PUBLIC_URL names it, so redirects and cookies are
// exactly what a browser on this machine would get), instances on the local Docker engine, and the
// single sign-on round trip a browser makes to reach one.
import type { FastifyInstance } from 'fastify'
import { routing } from '../../plugins/routing/index.js'
import { scheduler } from '../../plugins/scheduler/index.js'
import { Tenant } from '../../plugins/tenants/entities.js'
import { tenants } from '../../plugins/tenants/index.js'
import { instanceUrl, type ConfigInput } from '../../server/config.js'
import type { ServerPlugin } from '../../server/plugins.js'
import { authHeaders, buildAuthApp, type SignedInUser } from './auth.js'
import type { TestContext } from './app.js'
import { cookieHeader, cookiesOf, freePort, nextJson, openWebSocket, request } from './local-hosts.js'
export { removeTenantResources } from './docker.js'

export const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }

/** `alsoInstalled`: further plugins beside the router's (e.g. metrics). */
export async function buildRouterApp (t: TestContext, config: Partial<ConfigInput> = {}, alsoInstalled: ServerPlugin[] = []): Promise<FastifyInstance> {
  const port = await freePort()
  const app = await buildAuthApp(t, {
    installed: [scheduler, tenants, routing, ...alsoInstalled],
    config: { host: '127.0.0.1', port, publicUrl: `http://localhost:${port}`, appsDomain: 'localhost', ...config }
  })
  await app.listen({ host: '127.0.0.1', port })
  return app
}

export interface CreatedInstance { id: string, slug: string, url: string, events: string[] }

/**
 * Creates an instance for `owner` and waits until its progress stream ends; Docker resources are
 * removed on teardown (register this before the app so it runs after the app closed).
 */
export async function createInstance (app: FastifyInstance, owner: SignedInUser, plan: string, cleanup: string[]): Promise<CreatedInstance> {
  const created = await app.inject({ method: 'POST', url: '/api/tenants', headers: authHeaders(owner), payload: { plan } })
  if (created.statusCode !== 202) throw new Error(`create failed: ${created.statusCode} ${created.body}`)
  const tenant = created.json<{ id: string, slug: string, url: string }>()
  cleanup.push(tenant.id)
  const events = await app.inject({ method: 'GET', url: `/api/tenants/${tenant.id}/events`, headers: authHeaders(owner) })
  return { ...tenant, events: [...events.body.matchAll(/^event: (\S+)$/gm)].map((match) => match[1]!) }
}

/**
 * A running instance of `owner` served by `upstream` (any HTTP server on this machine) instead of a
 * container: a row the router routes at once. Build the app with a long `reconcileInterval`, so no
 * sweep tries to give it a container. Returns the instance's origin.
 */
export async function instanceServedBy (app: FastifyInstance, owner: { id: string, email: string }, slug: string, upstream: string): Promise<string> {
  const em = app.orm.em.fork()
  const now = new Date()
  em.create(Tenant, { id: slug, slug, ownerId: owner.id, ownerEmail: owner.email, plan: 'free', workerId: 'none', desired: 'running', status: 'running', upstream, createdAt: now, updatedAt: now } as Tenant)
  await em.flush()
  await app.instanceRouter.table.refresh(slug)
  return instanceUrl(app.config, slug)
}

export interface SignInTrip {
  /** The instance host's cookies after the callback. */
  jar: Record<string, string>
  /** Every hop: status and Location. */
  hops: Array<{ url: string, status: number, location?: string }>
  final: { status: number, location?: string }
}

/**
 * A browser's single sign-on round trip: instance URL -> console authorize endpoint (with the
 * console session cookie) -> callback on the instance -> back to `path`.
 */
export async function signInOnInstance (instanceUrl: string, consoleCookie: string, path = '/'): Promise<SignInTrip> {
  const hops: SignInTrip['hops'] = []
  const start = await request(`${instanceUrl}${path}`, { headers: BROWSER })
  hops.push({ url: `${instanceUrl}${path}`, status: start.status, location: start.headers.location })
  const instanceJar = cookiesOf(start)
  if (start.status !== 302 || start.headers.location === undefined) throw new Error(`expected a redirect to sign in, got ${start.status}: ${start.body.slice(0, 200)}`)
  const authorize = await request(start.headers.location, { headers: { ...BROWSER, cookie: consoleCookie } })
  hops.push({ url: start.headers.location, status: authorize.status, location: authorize.headers.location })
  if (authorize.status !== 302 || authorize.headers.location === undefined) throw new Error(`authorize answered ${authorize.status}: ${authorize.body.slice(0, 200)}`)
  const callback = await request(authorize.headers.location, { headers: { ...BROWSER, cookie: cookieHeader(instanceJar) } })
  hops.push({ url: authorize.headers.location, status: callback.status, location: callback.headers.location })
  return { jar: { ...instanceJar, ...cookiesOf(callback) }, hops, final: { status: callback.status, location: callback.headers.location } }
}

/** One frame of OpenClaw's gateway WebSocket protocol. */
export interface GatewayFrame { type: string, event?: string, id?: string, ok?: boolean, payload?: Record<string, unknown>, error?: { code?: string, message?: string } }

/**
 * The Control UI's WebSocket handshake with a real OpenClaw gateway behind the router, as the
 * browser makes it: reads the gateway's first frame (its `connect.challenge`), sends `connect` as
 * the Control UI of `buildId` with no token, and returns that first frame and the answer (events
 * in between skipped). `client` names the test in the connect's version and user agent.
 */
export async function connectAsControlUi (t: TestContext, origin: string, cookie: string, buildId: string | undefined, client: string): Promise<{ challenge: GatewayFrame, hello: GatewayFrame }> {
  const socket = await openWebSocket(`${origin.replace(/^http/, 'ws')}/`, { cookie, origin })
  t.teardown(() => { socket.close() })
  const challenge = await nextJson<GatewayFrame>(socket)
  socket.send(JSON.stringify({
    type: 'req',
    id: 'connect-1',
    method: 'connect',
    params: {
      minProtocol: 4,
      maxProtocol: 4,
      client: { id: 'openclaw-control-ui', version: client, platform: 'web', mode: 'ui', buildId },
      role: 'operator',
      scopes: [],
      caps: [],
      locale: 'en-US',
      userAgent: `openclaw-cloud ${client}`
    }
  }))
  let hello = await nextJson<GatewayFrame>(socket)
  while (hello.type === 'event') hello = await nextJson<GatewayFrame>(socket)
  return { challenge, hello }
}
