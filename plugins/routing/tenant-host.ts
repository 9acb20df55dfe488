// Everything that happens on an instance host: single sign-on (redirect, callback), the owner
// check, lifecycle pages (waking a stopped instance, live progress), and the proxy itself. A box's
// host is the same, except that its upstream is its tunnel, the server node holding its tunnel
// (node-hop.ts), or the box-offline page.
import { parseCookie } from 'cookie'
import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import type { FastifyBaseLogger } from 'fastify'
import { deviceIdOfBoxSlug } from '../../protocol/tunnel.js'
import { instanceUrl, type Config } from '../../server/config.js'
import { errorBody } from '../../server/errors.js'
import { sessionCookie } from '../oauth/authenticate.js'
import type { OAuthServices } from '../oauth/services.js'
import { FINAL, type ProgressEvent, type TenantEvents } from '../tenants/events.js'
import type { TenantService } from '../tenants/service.js'
import type { Activity } from './activity.js'
import type { BoxRoute } from './box-routes.js'
import { CALLBACK_PATH, newPkceVerifier, pkceChallenge, type InstanceAuthorizer } from './authorizer.js'
import { clientAddress } from './client-address.js'
import { rewriteRequestHeaders } from './forwarded-headers.js'
import type { HostCookies } from './host-session.js'
import { identify, type Identity } from './identify.js'
import { NODE_HOP_HEADER, type NodeHop } from './node-hop.js'
import { sendPage, wantsHtml, type PageKind } from './pages.js'
import type { ProxyEngine, Upstream } from './proxy.js'
import type { Route, RouteTable } from './route-table.js'
import type { SlugOfHost } from './hosts.js'
import type { BoxTunnel } from './tunnels.js'

export const PROGRESS_PATH = '/_openclaw/progress'
const SIGN_IN_TTL_SECONDS = 600
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** Claimed boxes and their tunnels (nothing while the devices plugin is off). */
export interface BoxAccess {
  route: (slug: string) => BoxRoute | undefined
  /** The box at a slug re-read (rate-limited): it may have been claimed or transferred through another node. */
  recheck: (slug: string) => Promise<BoxRoute | undefined>
  /** The box's tunnel on this node. */
  tunnel: (deviceId: string) => BoxTunnel | undefined
  /** The internal URL of another server node holding the box's tunnel (with REDIS_URL). */
  elsewhere: (deviceId: string) => Promise<string | undefined>
}

/** Where a request goes next; `hopFor` (a device id) when it is another node, which forwards it into that box's tunnel. */
export type Next = { upstream: Upstream, hopFor?: string } | { page: PageKind }

/** The request an instance host is asked for; `upgrade` for a WebSocket. */
export interface GateTarget { method: string, url: string, upgrade?: boolean }

export interface TenantHostOptions {
  config: Config
  slugOf: SlugOfHost
  table: RouteTable
  cookies: HostCookies
  authorizer: InstanceAuthorizer
  engine: ProxyEngine
  oauth: OAuthServices
  tenants: { service: TenantService, events: TenantEvents }
  activity: Activity
  boxes: BoxAccess
  /** Hops between server nodes; undefined on a single node (no REDIS_URL). */
  nodeHop: NodeHop | undefined
  log: FastifyBaseLogger
}

/** A path to return to after sign-in: ours only; "//host" or "/\\host" would leave the instance. */
export function safeReturnPath (url: string | undefined): string {
  if (url === undefined || !url.startsWith('/') || url.startsWith('//')) return '/'
  if ([...url].some((char) => char === '\\' || char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)) return '/'
  return url
}

export function createTenantHost (options: TenantHostOptions) {
  const { config, slugOf, table, cookies, authorizer, engine, oauth, tenants, activity, boxes, nodeHop, log } = options
  const consoleUrl = `${config.publicUrl}/`
  const proto = config.publicUrl.startsWith('https:') ? 'https' : 'http'
  const waking = new Map<string, number>()
  // The console's session cookie is host-only and never sent here; removed anyway, should a client send it.
  const ownCookies = new Set([...cookies.names, sessionCookie(config).name])

  const page = (req: IncomingMessage, res: ServerResponse, kind: PageKind, extra?: Record<string, string>): void => {
    sendPage(res, req.headers, kind, consoleUrl, extra)
  }

  function parseCookies (req: IncomingMessage): Record<string, string> {
    return req.headers.cookie === undefined ? {} : parseCookie(req.headers.cookie) as Record<string, string>
  }

  /** An upload the engine stopped past the body limit: 413, and the rest of it is not read. */
  function cutOff (req: IncomingMessage, res: ServerResponse): void {
    page(req, res, 'too-large', { connection: 'close' })
    req.destroy()
  }

  function redirect (res: ServerResponse, location: string, setCookie?: string[]): void {
    res.writeHead(302, { location, 'cache-control': 'no-store', ...(setCookie === undefined ? {} : { 'set-cookie': setCookie }) })
    res.end()
  }

  function startSignIn (res: ServerResponse, slug: string, returnUrl: string | undefined): void {
    const origin = instanceUrl(config, slug)
    const state = randomBytes(16).toString('base64url')
    const verifier = newPkceVerifier()
    const pending = cookies.sign({ host: slug, state, verifier, returnPath: safeReturnPath(returnUrl), expiresAt: Date.now() + SIGN_IN_TTL_SECONDS * 1000 })
    const location = authorizer.authorizationUrl({ clientId: origin, redirectUri: `${origin}${CALLBACK_PATH}`, state, codeChallenge: pkceChallenge(verifier) })
    redirect(res, location, [cookies.setCookie(cookies.pendingName, pending, SIGN_IN_TTL_SECONDS)])
  }

  async function callback (req: IncomingMessage, res: ServerResponse, slug: string, query: URLSearchParams): Promise<void> {
    const origin = instanceUrl(config, slug)
    const pending = cookies.readPending(parseCookies(req)[cookies.pendingName], slug)
    if (query.get('error') === 'access_denied') { page(req, res, 'forbidden'); return }
    if (pending === null || query.get('state') !== pending.state) { page(req, res, 'sign-in-expired'); return }
    const grant = await authorizer.redeem({ code: query.get('code') ?? '', clientId: origin, redirectUri: `${origin}${CALLBACK_PATH}`, codeVerifier: pending.verifier })
    if (grant === null) { page(req, res, 'sign-in-expired'); return }
    const ttl = config.routingSessionTtl
    const session = cookies.sign({ host: slug, userId: grant.userId, expiresAt: Date.now() + ttl * 1000 })
    redirect(res, pending.returnPath, [
      cookies.setCookie(cookies.sessionName, session, ttl),
      cookies.setCookie(cookies.pendingName, '', 0)
    ])
  }

  /** A stopped instance is started by its owner's visit; repeated visits while it wakes do not repeat the call. */
  function wake (route: Route): void {
    const last = waking.get(route.tenantId) ?? 0
    if (Date.now() - last < 10_000) return
    waking.set(route.tenantId, Date.now())
    const owner = { id: route.ownerId, email: route.ownerEmail, roles: [], scopes: [], emailVerified: true }
    tenants.service.start(owner, route.tenantId)
      .then(async () => { await table.refresh(route.tenantId) })
      .catch((err: Error) => { log.warn({ tenant: route.tenantId, err: err.message }, 'could not wake instance') })
  }

  /** A box's tunnel: on this node, else on the node the directory names, else offline. */
  async function boxUpstream (route: BoxRoute): Promise<Next> {
    if (route.revoked) return { page: 'box-offline' }
    const tunnel = boxes.tunnel(route.deviceId)
    if (tunnel !== undefined) return { upstream: tunnel }
    const node = await boxes.elsewhere(route.deviceId).catch((err: Error) => {
      log.warn({ deviceId: route.deviceId, err: err.message }, 'cannot look up which node holds the box tunnel')
      return undefined
    })
    return node === undefined ? { page: 'box-offline' } : { upstream: { target: node }, hopFor: route.deviceId }
  }

  /** Where a request for this instance goes now: upstream, or the page that says why not. */
  async function lifecycle (route: Route | BoxRoute): Promise<Next> {
    if (route.kind === 'box') return await boxUpstream(route)
    if (route.desired === 'deleted') return { page: 'deleted' }
    if (route.upstream !== null) return { upstream: { target: route.upstream } }
    if (route.desired === 'stopped' || route.status === 'stopped') { wake(route); return { page: 'starting' } }
    if (route.status === 'failed') return { page: 'failed' }
    return { page: 'starting' }
  }

  /** The owner check shared by HTTP and upgrades; a cookie-authenticated change must come from the instance's own origin. */
  /** The instance or box at a slug; a box that does not seem to be this user's is re-read first. */
  async function routeFor (slug: string, userId: string): Promise<Route | BoxRoute | undefined> {
    const route = boxes.route(slug) ?? table.get(slug)
    if (route?.ownerId === userId || route?.kind === 'container') return route
    return (await boxes.recheck(slug)) ?? table.get(slug)
  }

  async function admit (req: IncomingMessage, who: Identity & { userId: string }, slug: string, method: string, upgrade: boolean): Promise<{ route: Route | BoxRoute } | { page: PageKind }> {
    const route = await routeFor(slug, who.userId)
    if (route === undefined) return { page: 'not-found' }
    if (route.ownerId !== who.userId) return { page: 'forbidden' }
    const origin = req.headers.origin
    // Other instance hosts are same-site, so SameSite=Lax does not stop their pages from using this cookie.
    if (who.kind === 'cookie' && (upgrade || !SAFE_METHODS.has(method)) && origin !== undefined && origin !== instanceUrl(config, slug)) return { page: 'forbidden' }
    return { route }
  }

  function forwardHeaders (req: IncomingMessage, route: Route | BoxRoute, who: Identity, next: { hopFor?: string }, upgrade: boolean): void {
    rewriteRequestHeaders(req.headers, {
      user: route.ownerEmail,
      clientAddress: clientAddress(req.socket.remoteAddress),
      proto,
      host: req.headers.host ?? '',
      ownCookies,
      dropAuthorization: who.kind === 'bearer',
      upgrade
    })
    // After the rewrite, which removed any x-openclaw-* header the client sent.
    if (next.hopFor !== undefined && nodeHop !== undefined) req.headers[NODE_HOP_HEADER] = nodeHop.sign(next.hopFor)
  }

  /**
   * A request another server node sent on (node-hop.ts): that node ran single sign-on, the owner check
   * and the header rewrite; this one checks the hop's token and forwards it into the box's tunnel here.
   * Returns the tunnel, or null after refusing (403) or answering offline.
   */
  function hopped (nodeHop: NodeHop, req: IncomingMessage, slug: string, refuse: (status: number, code: string, message: string) => void, offline: () => void): BoxTunnel | null {
    const token = req.headers[NODE_HOP_HEADER]
    const deviceId = deviceIdOfBoxSlug(slug)
    delete req.headers[NODE_HOP_HEADER]
    if (typeof token !== 'string' || deviceId === undefined || !nodeHop.verify(token, deviceId)) {
      log.warn({ slug }, 'refused a node hop without a valid token')
      refuse(403, 'NODE_HOP_REFUSED', `${NODE_HOP_HEADER} is only accepted from another server node of this cloud`)
      return null
    }
    const tunnel = boxes.tunnel(deviceId)
    if (tunnel === undefined) offline()
    return tunnel ?? null
  }

  function hoppedHttp (nodeHop: NodeHop, req: IncomingMessage, res: ServerResponse, slug: string): void {
    const tunnel = hopped(nodeHop, req, slug, (status, code, message) => {
      const body = JSON.stringify(errorBody(status, code, message))
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' }).end(body)
    }, () => { page(req, res, 'box-offline') })
    if (tunnel === null) return
    engine.web(req, res, tunnel, (failure) => {
      if (failure === 'too-large') cutOff(req, res)
      else if (failure !== 'client-gone') page(req, res, failure === 'timeout' ? 'gateway-timeout' : 'bad-gateway')
    })
  }

  function hoppedUpgrade (nodeHop: NodeHop, req: IncomingMessage, socket: Duplex, head: Buffer, slug: string, refuse: (status: number, reason: string) => void): void {
    const tunnel = hopped(nodeHop, req, slug, (status) => { refuse(status, 'Forbidden') }, () => { refuse(502, 'Bad Gateway') })
    if (tunnel === null) return
    engine.ws(req, socket, head, tunnel, () => { if (socket.writable) refuse(502, 'Bad Gateway'); else socket.destroy() })
  }

  function progress (req: IncomingMessage, res: ServerResponse, route: Route): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' })
    const send = (event: ProgressEvent): void => {
      res.write(`event: ${event.type}\ndata: ${JSON.stringify({ type: event.type, at: event.at })}\n\n`)
      if (FINAL.has(event.type)) res.end()
    }
    const unsubscribe = tenants.events.subscribe(route.tenantId, send)
    // Comments keep idle intermediaries from closing the stream while the instance starts.
    const heartbeat = setInterval(() => { res.write(': waiting\n\n') }, 15_000)
    res.on('close', () => { unsubscribe(); clearInterval(heartbeat) })
    if (table.get(route.slug)?.upstream != null) { send({ type: 'routable', at: new Date().toISOString() }); return }
    const history = tenants.events.history(route.tenantId)
    const last = history.at(-1)
    // A finished story is replayed only when it ends in failure or deletion; after `stopped` the
    // page waits for the wake-up that its own request started.
    if (last !== undefined && !FINAL.has(last.type)) for (const event of history) send(event)
    else if (last !== undefined && last.type !== 'stopped' && last.type !== 'routable') send(last)
  }

  /**
   * Single sign-on and the owner check for a request to `target` on an instance host. Returns who may
   * pass, or null after answering (callback, redirect to sign in, or the page saying why not); with
   * `res` null it answers nothing and leaves the callback alone, for a proxy that only asks yes or no.
   * The router calls it for its own requests, an edge proxy's forward-auth (edge-export.ts) for its.
   */
  async function gate (req: IncomingMessage, res: ServerResponse | null, slug: string, target: GateTarget): Promise<{ route: Route | BoxRoute, who: Identity } | null> {
    const deny = (kind: PageKind, extra?: Record<string, string>): null => { if (res !== null) page(req, res, kind, extra); return null }
    const [path, search] = target.url.split('?', 2) as [string, string | undefined]
    if (path === CALLBACK_PATH) { if (res !== null) await callback(req, res, slug, new URLSearchParams(search)); return null }

    const who = await identify(req, parseCookies(req), slug, cookies, oauth)
    if (who.kind === 'invalid-bearer') return deny('unauthenticated', { 'www-authenticate': 'Bearer error="invalid_token"' })
    if (who.kind === 'anonymous') {
      if (res === null) return null
      if ((target.method === 'GET' || target.method === 'HEAD') && wantsHtml(req.headers)) startSignIn(res, slug, target.url)
      else page(req, res, 'unauthenticated', { 'www-authenticate': 'Bearer' })
      return null
    }
    const admitted = await admit(req, who, slug, target.method, target.upgrade === true)
    if ('page' in admitted) return deny(admitted.page)
    if (admitted.route.kind === 'container') activity.request(admitted.route.tenantId)
    return { route: admitted.route, who }
  }

  async function http (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const slug = slugOf(req.headers.host)!
    const url = req.url ?? '/'
    if (nodeHop !== undefined && req.headers[NODE_HOP_HEADER] !== undefined) { hoppedHttp(nodeHop, req, res, slug); return }
    const admitted = await gate(req, res, slug, { method: req.method ?? 'GET', url })
    if (admitted === null) return
    const { route, who } = admitted
    if (route.kind === 'container' && url.split('?', 1)[0] === PROGRESS_PATH) { progress(req, res, route); return }

    const next = await lifecycle(route)
    if ('page' in next) { page(req, res, next.page); return }
    const length = Number(req.headers['content-length'] ?? 0)
    if (length > config.routingBodyLimit) { page(req, res, 'too-large', { connection: 'close' }); return }
    forwardHeaders(req, route, who, next, false)
    engine.web(req, res, next.upstream, (failure, err) => {
      if (failure === 'client-gone') return
      if (failure === 'too-large') { cutOff(req, res); return }
      // The upstream's error code says why (ECONNREFUSED, ECONNRESET, ...); the path without its query, which may hold secrets.
      log.warn({ slug, method: req.method, path: url.split('?', 1)[0], failure, code: (err as NodeJS.ErrnoException).code, err: err.message }, 'proxied request failed')
      if (failure === 'unreachable' && route.kind === 'container') void table.refresh(route.tenantId)
      // The node that held the tunnel is gone; the box dials another one.
      if (failure === 'unreachable' && next.hopFor !== undefined) { page(req, res, 'box-offline'); return }
      page(req, res, failure === 'timeout' ? 'gateway-timeout' : 'bad-gateway')
    })
  }

  async function upgrade (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const slug = slugOf(req.headers.host)!
    const refuse = (status: number, reason: string): void => {
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`)
    }
    if (nodeHop !== undefined && req.headers[NODE_HOP_HEADER] !== undefined) { hoppedUpgrade(nodeHop, req, socket, head, slug, refuse); return }
    const who = await identify(req, parseCookies(req), slug, cookies, oauth)
    if (who.kind === 'anonymous' || who.kind === 'invalid-bearer') { refuse(401, 'Unauthorized'); return }
    const admitted = await admit(req, who, slug, req.method ?? 'GET', true)
    if ('page' in admitted) { refuse(admitted.page === 'not-found' ? 404 : 403, admitted.page === 'not-found' ? 'Not Found' : 'Forbidden'); return }
    const { route } = admitted
    const next = await lifecycle(route)
    if ('page' in next) { if (next.page === 'box-offline') refuse(502, 'Bad Gateway'); else refuse(503, 'Service Unavailable'); return }
    forwardHeaders(req, route, who, next, true)
    if (route.kind === 'container') socket.once('close', activity.socketOpened(route.tenantId))
    engine.ws(req, socket, head, next.upstream, (failure) => {
      if (failure === 'unreachable' && route.kind === 'container') void table.refresh(route.tenantId)
      if (socket.writable) refuse(502, 'Bad Gateway')
      else socket.destroy()
    })
  }

  return {
    claims: (req: IncomingMessage): boolean => slugOf(req.headers.host) !== null,
    gate,
    lifecycle,
    routeFor,
    page,
    http (req: IncomingMessage, res: ServerResponse): void {
      http(req, res).catch((err: Error) => {
        log.error({ err }, 'instance host request failed')
        page(req, res, 'bad-gateway')
      })
    },
    upgrade (req: IncomingMessage, socket: Duplex, head: Buffer): void {
      socket.on('error', () => { socket.destroy() })
      upgrade(req, socket, head).catch((err: Error) => {
        log.error({ err }, 'instance host upgrade failed')
        socket.destroy()
      })
    }
  }
}
