// The proxy engine. Plain requests go through undici (Node's own HTTP client library): its
// pooled keep-alive client parses and writes HTTP with far less work per request than Node's
// http.request, which is most of what a proxy does for small answers (docs/benchmarks.md).
// WebSocket upgrades go through http-proxy-3 (node-http-proxy's maintained successor) and are piped
// as raw sockets. Bodies stream both ways with backpressure and are never buffered. How an upstream
// is reached is the only thing that differs: TCP to its URL, or a connector (a box's tunnel).
import { Agent, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { Duplex, Transform, type Readable } from 'node:stream'
import { createProxyServer } from 'http-proxy-3'
import { Agent as PoolingAgent, Client, Pool, type Dispatcher } from 'undici'
import { stripResponseHopByHop } from './forwarded-headers.js'

/** What went wrong: no connection or answer, no answer in time, the client left, a chunked body over the limit. */
export type UpstreamFailure = 'unreachable' | 'timeout' | 'client-gone' | 'too-large'
export type ProxyOutcome = 'forwarded' | UpstreamFailure

/** Plain counts of proxied requests and WebSocket upgrades by outcome, read by the metrics plugin when scraped. */
export interface ProxyCounts { http: Record<ProxyOutcome, number>, websocket: Record<ProxyOutcome, number> }

/** Opens one connection to an upstream that is not reached over TCP (a box's tunnel); answers through `created`. */
export type Connector = (created: (err: Error | null, connection?: Duplex) => void) => void

/**
 * Where a request goes: a URL, reached over pooled TCP connections unless a connector is given, in
 * which case every request and upgrade gets a connection of its own from it.
 */
export interface Upstream { target: string, connect?: Connector }

export interface ProxyEngine {
  web: (req: IncomingMessage, res: ServerResponse, upstream: Upstream, onFailure: (failure: UpstreamFailure, err: Error) => void) => void
  ws: (req: IncomingMessage, socket: Duplex, head: Buffer, upstream: Upstream, onFailure: (failure: UpstreamFailure, err: Error) => void) => void
  counts: ProxyCounts
  close: () => Promise<void>
}

/**
 * How long an upstream connection may wait idle in the pool: below the 5 s keep-alive timeout of
 * Node's HTTP server, which OpenClaw's gateway runs, so the pool never hands out a connection the
 * gateway is closing (undici also follows an upstream's `Keep-Alive: timeout=` hint, less 1 s).
 */
export const UPSTREAM_IDLE_TIMEOUT_MS = 4000

/**
 * Safe methods (RFC 9110 §9.2.1) with no body can be sent again unchanged; a proxy retries nothing
 * else on its own (RFC 9112 §9.3.1).
 */
const RESENDABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

function hasBody (req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0
}

/** What undici says when a connection closed before the answer came (the upstream's close and our send crossed). */
const CLOSED_UNDER_US = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'])
const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT'])

class BodyTooLarge extends Error {}

/**
 * A body without a declared length (a declared one over the limit is refused before the engine is
 * called), counted as it streams: past the limit it fails and the upload is cut off.
 */
function limited (req: IncomingMessage, limit: number): Readable {
  if (req.headers['content-length'] !== undefined) return req
  let seen = 0
  const counted = new Transform({
    transform (chunk: Buffer, _encoding, done) {
      seen += chunk.length
      if (seen > limit) done(new BodyTooLarge(`the body is over ${limit} bytes`))
      else done(null, chunk)
    }
  })
  counted.once('error', () => { req.unpipe(counted) })
  return req.pipe(counted)
}

/** A connector's connection as Node's http client and http-proxy expect a socket; it is not TCP, so TCP tuning is a no-op. */
function asSocket (connection: Duplex): Socket {
  return Object.assign(connection, { setNoDelay: () => connection, setKeepAlive: () => connection, setTimeout: () => connection }) as unknown as Socket
}

/** How long a connector's connection that undici is done with may take to close by itself before it is reset. */
const CONNECTOR_CLOSE_GRACE_MS = 5000

/**
 * A connector's connection as undici gets it. undici lets go of a connection after a complete
 * `Connection: close` answer by destroying it (with an informational "reset"). On a box's tunnel
 * that would reset the stream (RST_STREAM) after every request, and the box's HTTP/2 server closes
 * a session that resets streams at a high rate (Node's rapid-reset guard: a burst of 1000, then 33
 * per second). So undici destroys this stand-in, an ordinary stream, and the connection underneath
 * is ended instead, closing once the box ends its side too; an abort or an error still resets it.
 */
function endedWhenDone (connection: Duplex): Duplex {
  const standIn = new Duplex({
    read () { connection.resume() },
    write (chunk: Buffer, encoding, done) { connection.write(chunk, encoding, done) },
    final (done) { connection.end(done) },
    destroy (err, done) {
      if (!connection.destroyed) {
        if (err !== null && (err as NodeJS.ErrnoException).code !== 'UND_ERR_INFO') connection.destroy(err)
        else {
          connection.end()
          connection.resume()
          const overdue = setTimeout(() => connection.destroy(), CONNECTOR_CLOSE_GRACE_MS).unref()
          connection.once('close', () => { clearTimeout(overdue) })
        }
      }
      done(err)
    }
  })
  // Once undici has let go, what is still coming is drained so that the box's end can arrive.
  connection.on('data', (chunk: Buffer) => { if (!standIn.destroyed && !standIn.push(chunk)) connection.pause() })
  connection.once('end', () => { standIn.push(null) })
  connection.on('error', (err) => { standIn.destroy(err) })
  connection.once('close', () => { standIn.destroy() })
  return standIn
}

/** An http.Agent for upgrades through a connector: each upgrade takes a connection of its own. */
class ConnectorAgent extends Agent {
  constructor (private readonly connector: Connector) {
    super({ keepAlive: false, maxSockets: Infinity })
  }

  override createConnection (_options: unknown, created: (err: Error | null, socket?: Duplex) => void): Socket | undefined {
    this.connector((err, connection) => { created(err, connection === undefined ? undefined : asSocket(connection)) })
    return undefined
  }
}

export function createProxyEngine ({ upstreamTimeoutMs, bodyLimit }: { upstreamTimeoutMs: number, bodyLimit: number }): ProxyEngine {
  const pooled = new PoolingAgent({
    keepAliveTimeout: UPSTREAM_IDLE_TIMEOUT_MS,
    keepAliveMaxTimeout: UPSTREAM_IDLE_TIMEOUT_MS,
    headersTimeout: upstreamTimeoutMs,
    bodyTimeout: upstreamTimeoutMs,
    connections: 1024
  })
  // One of each per connector, made on first use; they go with their connector (a closed tunnel).
  const connectorPools = new WeakMap<Connector, Dispatcher>()
  const connectorAgents = new WeakMap<Connector, Agent>()
  const dispatcherFor = ({ target, connect }: Upstream): Dispatcher => {
    if (connect === undefined) return pooled
    let pool = connectorPools.get(connect)
    if (pool === undefined) {
      // pipelining 0: no keep-alive, so a connection is never handed to a second request; the
      // connector decides how many may be open at once.
      const viaConnector = (_options: unknown, created: (...args: [Error, null] | [null, Socket]) => void): void => {
        connect((err, connection) => { if (connection === undefined) created(err ?? new Error('no connection'), null); else created(null, asSocket(endedWhenDone(connection))) })
      }
      pool = new Pool(target, { connect: viaConnector, pipelining: 0, headersTimeout: upstreamTimeoutMs, bodyTimeout: upstreamTimeoutMs })
      connectorPools.set(connect, pool)
    }
    return pool
  }
  const agentFor = (connect: Connector | undefined): Agent | false => {
    // An upgrade over TCP takes a new connection rather than a pooled one that might be closing:
    // its request cannot be sent again, since the client's socket is already handed over.
    if (connect === undefined) return false
    const known = connectorAgents.get(connect)
    if (known !== undefined) return known
    const agent = new ConnectorAgent(connect)
    connectorAgents.set(connect, agent)
    return agent
  }

  const upgrades = createProxyServer({ xfwd: false, changeOrigin: false, ws: true })
  const zero = (): Record<ProxyOutcome, number> => ({ forwarded: 0, unreachable: 0, timeout: 0, 'client-gone': 0, 'too-large': 0 })
  const counts: ProxyCounts = { http: zero(), websocket: zero() }
  upgrades.on('proxyRes', (proxyRes) => { stripResponseHopByHop(proxyRes.headers, proxyRes.statusCode === 101) })
  // Emitted once the upstream accepted the upgrade and the two sockets are piped.
  upgrades.on('open', () => { counts.websocket.forwarded++ })
  // Errors come to each call's callback; the emitter's own event would otherwise be unhandled.
  upgrades.on('error', () => undefined)
  upgrades.on('econnreset', () => undefined)

  function web (req: IncomingMessage, res: ServerResponse, upstream: Upstream, onFailure: (failure: UpstreamFailure, err: Error) => void): void {
    const dispatcher = dispatcherFor(upstream)
    const body = hasBody(req) ? limited(req, bodyLimit) : null
    const headers = req.headers
    // undici frames the body itself; Node's server answered any `Expect: 100-continue` already.
    delete headers['transfer-encoding']
    delete headers.expect
    // A client that leaves ends the upstream request too. undici takes any EventEmitter as an abort
    // signal (it listens for 'abort'): the response itself serves, at a fraction of the cost of an
    // AbortController per request.
    let clientGone = false
    res.once('close', () => { if (!res.writableFinished) { clientGone = true; res.emit('abort') } })
    let answered = false
    const send = (via: Dispatcher, first: boolean): void => {
      via.stream({
        origin: upstream.target,
        path: req.url ?? '/',
        method: req.method as Dispatcher.HttpMethod,
        headers: headers as Record<string, string | string[]>,
        body,
        signal: res
      }, ({ statusCode, headers: answer }) => {
        answered = true
        counts.http.forwarded++
        stripResponseHopByHop(answer as IncomingHttpHeaders, false)
        res.writeHead(statusCode, answer as IncomingHttpHeaders)
        return res
      }, (err) => {
        if (via !== dispatcher) void via.close()
        if (err === null) return
        const code = (err as NodeJS.ErrnoException).code ?? ''
        if (clientGone || res.destroyed) { counts.http['client-gone']++; onFailure('client-gone', err); return }
        // Once, on a new connection: another pooled one may be just as stale. (A connector's
        // connections are all new.)
        if (first && !answered && body === null && RESENDABLE_METHODS.has(req.method ?? '') && CLOSED_UNDER_US.has(code)) {
          send(upstream.connect === undefined ? new Client(upstream.target, { pipelining: 0, headersTimeout: upstreamTimeoutMs, bodyTimeout: upstreamTimeoutMs }) : dispatcher, false)
          return
        }
        const failure: UpstreamFailure = err instanceof BodyTooLarge ? 'too-large' : TIMEOUTS.has(code) ? 'timeout' : 'unreachable'
        counts.http[failure]++
        onFailure(failure, err)
      })
    }
    send(dispatcher, true)
  }

  return {
    web,
    ws (req, socket, head, { target, connect }, onFailure) {
      delete req.headers['transfer-encoding']
      upgrades.ws(req, socket, head, { target, agent: agentFor(connect), proxyTimeout: 0 }, (err) => {
        const failure: UpstreamFailure = req.socket.destroyed && (err as NodeJS.ErrnoException).code === 'ECONNRESET' ? 'client-gone' : 'unreachable'
        counts.websocket[failure]++
        onFailure(failure, err)
      })
    },
    counts,
    async close () {
      upgrades.close()
      await pooled.destroy()
    }
  }
}
