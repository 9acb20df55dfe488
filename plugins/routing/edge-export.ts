// The router's table for a production edge in front of it (docs/routing.md "Production edge"):
// Traefik's HTTP-provider dynamic configuration and an nginx `map`, both read with an admin session or
// the edge token. The edge proxies running instances straight to their containers but asks this
// server first, through forward-auth, whether the request may pass, so single sign-on and the owner
// check stay ours; everything it may not pass (sign-in, callback, pages, instances not running) is
// answered by this server's router.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createHash, timingSafeEqual } from 'node:crypto'
import type { onRequestAsyncHookHandler } from 'fastify'
import Type from 'typebox'
import { ErrorBody } from '../../server/errors.js'
import { instanceUrl, type Config } from '../../server/config.js'
import type { Identity } from './identify.js'
import type { BoxRoute } from './box-routes.js'
import { EdgeHostInvalid } from './errors.js'
import { IDENTITY_HEADERS, USER_HEADER } from './forwarded-headers.js'
import type { SlugOfHost } from './hosts.js'
import type { PageKind } from './pages.js'
import type { Upstream } from './proxy.js'
import type { Route, RouteTable } from './route-table.js'
import type { GateTarget } from './tenant-host.js'
import { TraefikDynamicConfig } from './traefik-schema.js'

export const FORWARD_AUTH_PATH = '/api/routing/forward-auth'
/** Names inside the exported Traefik configuration (routers, services and middlewares share one namespace per provider). */
export const TRAEFIK_NAMES = { sso: 'openclaw-sso', stripIdentity: 'openclaw-strip-identity', router: 'openclaw-router', instance: (slug: string) => `openclaw-instance-${slug}` }
/** An instance router outranks the catch-all one, whatever the rules' lengths (Traefik's default priority). */
const INSTANCE_PRIORITY = 1000

/** What the router's instance-host logic offers the edge (see tenant-host.ts). */
export interface InstanceGate {
  gate: (req: IncomingMessage, res: ServerResponse | null, slug: string, target: GateTarget) => Promise<{ route: Route | BoxRoute, who: Identity } | null>
  lifecycle: (route: Route | BoxRoute) => Promise<{ upstream: Upstream } | { page: PageKind }>
  page: (req: IncomingMessage, res: ServerResponse, kind: PageKind) => void
}

export interface EdgeExportOptions {
  table: RouteTable
  slugOf: SlugOfHost
  instances: InstanceGate
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest()

/** An admin, or a bearer equal to EDGE_TOKEN (compared in constant time; never logged: the logger redacts authorization). */
function edgeReader (requireAdmin: onRequestAsyncHookHandler, edgeToken: string | undefined): onRequestAsyncHookHandler {
  const expected = edgeToken === undefined ? undefined : digest(edgeToken)
  return async function edgeAccess (request, reply) {
    const auth = request.headers.authorization
    if (expected !== undefined && auth !== undefined && /^Bearer\s/i.test(auth) && timingSafeEqual(digest(auth.slice(7).trim()), expected)) return
    await requireAdmin.call(this, request, reply)
  }
}

/** Where the edge reaches this server. */
export const routerOrigin = (config: Pick<Config, 'edgeRouterUrl' | 'publicUrl'>): string => config.edgeRouterUrl ?? config.publicUrl

/** Instances the edge may send straight to their container: running, with an address. */
const routable = (table: RouteTable): Array<Route & { upstream: string }> =>
  table.all().filter((route): route is Route & { upstream: string } => route.upstream !== null && route.desired !== 'deleted').sort((a, b) => a.slug.localeCompare(b.slug))

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

export function traefikConfig (config: Config, table: RouteTable): TraefikDynamicConfig {
  const tls = config.publicUrl.startsWith('https:') ? { tls: {} } : {}
  const middlewares = [TRAEFIK_NAMES.stripIdentity, TRAEFIK_NAMES.sso]
  const routers: TraefikDynamicConfig['http']['routers'] = {
    // Any other instance host (starting, stopped, unknown, just created): the router answers it in full.
    [TRAEFIK_NAMES.router]: { rule: `HostRegexp(\`^[a-z0-9-]+\\.${escapeRegExp(config.appsDomain)}$\`)`, service: TRAEFIK_NAMES.router, priority: 1, ...tls }
  }
  const services: TraefikDynamicConfig['http']['services'] = {
    [TRAEFIK_NAMES.router]: { loadBalancer: { servers: [{ url: routerOrigin(config) }], passHostHeader: true } }
  }
  for (const route of routable(table)) {
    const name = TRAEFIK_NAMES.instance(route.slug)
    routers[name] = { rule: `Host(\`${new URL(instanceUrl(config, route.slug)).hostname}\`)`, service: name, middlewares, priority: INSTANCE_PRIORITY, ...tls }
    services[name] = { loadBalancer: { servers: [{ url: route.upstream }], passHostHeader: true } }
  }
  // Empty values delete the header (Traefik's headers middleware): a client cannot claim an identity.
  const stripped = Object.fromEntries([...IDENTITY_HEADERS, USER_HEADER].map((name) => [name, '']))
  return {
    http: {
      routers,
      services,
      middlewares: {
        [TRAEFIK_NAMES.stripIdentity]: { headers: { customRequestHeaders: stripped } },
        [TRAEFIK_NAMES.sso]: { forwardAuth: { address: `${routerOrigin(config)}${FORWARD_AUTH_PATH}`, trustForwardHeader: false, authResponseHeaders: [USER_HEADER] } }
      }
    }
  }
}

export function nginxMap (config: Config, table: RouteTable): string {
  const lines = routable(table).map((route) => `    ${new URL(instanceUrl(config, route.slug)).hostname} ${new URL(route.upstream).host};`)
  return [
    '# OpenClaw Cloud: running instances -> their container (host:port). Generated by GET /api/routing/nginx;',
    '# include it in the http {} block (deploy/nginx/edge/openclaw-edge.conf uses it). Hosts not listed go to the router.',
    'map $host $openclaw_instance_upstream {',
    '    hostnames;',
    '    default "";',
    ...lines,
    '}',
    ''
  ].join('\n')
}

const ForwardedRequest = Type.Object({
  'x-forwarded-host': Type.String({ minLength: 1, maxLength: 300, description: 'Host the client asked for: an instance host under APPS_DOMAIN' }),
  'x-forwarded-uri': Type.Optional(Type.String({ pattern: '^/', maxLength: 8192, description: 'Path and query the client asked for; default /' })),
  'x-forwarded-method': Type.Optional(Type.String({ pattern: '^[A-Z]{1,16}$', description: 'Method the client used; default GET' }))
})

const ForwardAuthQuery = Type.Object({
  mode: Type.Optional(Type.Union([Type.Literal('respond'), Type.Literal('status')], {
    description: 'respond (Traefik, default): a refusal is the full answer for the client (sign-in redirect, callback, page). status (nginx auth_request): 200 or 401 only; nginx then hands the request to the router.'
  }))
})

export const edgeExport = ({ table, slugOf, instances }: EdgeExportOptions): FastifyPluginAsyncTypebox => async (app) => {
  const { config } = app
  const readers = edgeReader(app.requireUser({ scopes: ['admin'] }), config.edgeToken)

  app.get('/api/routing/traefik', {
    onRequest: readers,
    schema: {
      tags: ['routing'],
      summary: 'Traefik HTTP-provider dynamic configuration: a router per running instance host with single sign-on by forward-auth; admin or EDGE_TOKEN',
      response: { 200: TraefikDynamicConfig, 401: ErrorBody, 403: ErrorBody }
    }
  }, async (_request, reply) => await reply.header('cache-control', 'no-store').send(traefikConfig(config, table)))

  app.get('/api/routing/nginx', {
    onRequest: readers,
    schema: {
      tags: ['routing'],
      summary: 'nginx `map $host $openclaw_instance_upstream` of running instances, to include in an edge config; admin or EDGE_TOKEN',
      response: { 200: Type.String(), 401: ErrorBody, 403: ErrorBody }
    }
  }, async (_request, reply) => await reply.type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(nginxMap(config, table)))

  app.get(FORWARD_AUTH_PATH, {
    schema: {
      tags: ['routing'],
      summary: 'Forward-auth for an edge proxy: 200 with x-forwarded-user when the request may go to the instance, else the router\'s answer',
      description: 'Needs no credential of its own: it passes only a request carrying the instance owner\'s host cookie or token, which the router would pass too.',
      headers: ForwardedRequest,
      querystring: ForwardAuthQuery,
      response: { 400: ErrorBody }
    }
  }, async (request, reply) => {
    const host = request.headers['x-forwarded-host']
    const slug = slugOf(host)
    if (slug === null) throw new EdgeHostInvalid(`X-Forwarded-Host "${host}" is not an instance host under ${config.appsDomain}`)
    // A WebSocket handshake keeps its Sec-WebSocket-Key through the edge (it is not hop-by-hop).
    const target = { method: request.headers['x-forwarded-method'] ?? 'GET', url: request.headers['x-forwarded-uri'] ?? '/', upgrade: request.headers['sec-websocket-key'] !== undefined }
    const respond = request.query.mode !== 'status'
    reply.hijack()
    const res = reply.raw
    try {
      const admitted = await instances.gate(request.raw, respond ? res : null, slug, target)
      const next = admitted === null ? null : await instances.lifecycle(admitted.route)
      if (admitted !== null && next !== null && 'upstream' in next) {
        res.writeHead(200, { [USER_HEADER]: admitted.route.ownerEmail, 'cache-control': 'no-store', 'content-length': 0 }).end()
      } else if (!respond) {
        res.writeHead(401, { 'cache-control': 'no-store', 'content-length': 0 }).end()
      } else if (next !== null && 'page' in next) {
        instances.page(request.raw, res, next.page)
      }
    } catch (err) {
      request.log.error({ err }, 'forward-auth failed')
      if (!res.headersSent) res.writeHead(502, { 'content-length': 0 })
      res.end()
    }
  })
}
