// The proxy engine: http-proxy-3 (node-http-proxy's maintained successor) over a keep-alive agent.
// Bodies stream both ways with backpressure and are never buffered; WebSocket upgrades are piped
// as raw sockets. Only the agent decides how an upstream is reached (a box tunnel swaps it).
import { Agent, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { createProxyServer } from 'http-proxy-3'
import { stripResponseHopByHop } from './forwarded-headers.js'

export type UpstreamFailure = 'unreachable' | 'timeout' | 'client-gone'
export type ProxyOutcome = 'forwarded' | UpstreamFailure

/** Plain counts of proxied requests and WebSocket upgrades by outcome, read by the metrics plugin when scraped. */
export interface ProxyCounts { http: Record<ProxyOutcome, number>, websocket: Record<ProxyOutcome, number> }

/** Where a request goes: a URL, reached by the shared keep-alive agent unless another is given (a box's tunnel). */
export interface Upstream { target: string, agent?: Agent }

export interface ProxyEngine {
  web: (req: IncomingMessage, res: ServerResponse, upstream: Upstream, onFailure: (failure: UpstreamFailure, err: Error) => void) => void
  ws: (req: IncomingMessage, socket: Duplex, head: Buffer, upstream: Upstream, onFailure: (failure: UpstreamFailure, err: Error) => void) => void
  counts: ProxyCounts
  close: () => void
}

/**
 * How long an upstream connection may wait idle in the pool: below the 5 s keep-alive timeout of
 * Node's HTTP server, which OpenClaw's gateway runs, so the pool never hands out a connection the
 * gateway is closing. Node's agent cannot learn it from the gateway: the router strips the
 * hop-by-hop `Keep-Alive: timeout=5` from responses before the agent reads it, and Node 20's agent
 * ignores that hint anyway unless it has a timeout of its own.
 */
export const UPSTREAM_IDLE_TIMEOUT_MS = 4000

/**
 * Safe methods (RFC 9110 §9.2.1) with no body can be sent again unchanged; a proxy retries nothing
 * else on its own (RFC 9112 §9.3.1).
 */
const RESENDABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

function resendable (req: IncomingMessage): boolean {
  return RESENDABLE_METHODS.has(req.method ?? '') && req.headers['transfer-encoding'] === undefined && Number(req.headers['content-length'] ?? 0) === 0
}

/** What one send of a request met upstream. */
interface Attempt { reusedSocket: boolean, answered: boolean }

export function createProxyEngine ({ upstreamTimeoutMs }: { upstreamTimeoutMs: number }): ProxyEngine {
  const agent = new Agent({ keepAlive: true, timeout: UPSTREAM_IDLE_TIMEOUT_MS, maxSockets: 1024, maxFreeSockets: 64, scheduling: 'lifo' })
  // xfwd off: the router sets X-Forwarded-* itself, overwriting; http-proxy would append.
  const proxy = createProxyServer({ agent, xfwd: false, changeOrigin: false, proxyTimeout: upstreamTimeoutMs, ws: true })
  const timedOut = new WeakSet<IncomingMessage>()
  const attempts = new WeakMap<IncomingMessage, Attempt>()
  const zero = (): Record<ProxyOutcome, number> => ({ forwarded: 0, unreachable: 0, timeout: 0, 'client-gone': 0 })
  const counts: ProxyCounts = { http: zero(), websocket: zero() }
  // Emitted once the request has its connection: the agent has said whether it came from the pool.
  proxy.on('proxyReq', (proxyReq: ClientRequest, req: IncomingMessage) => {
    attempts.set(req, { reusedSocket: proxyReq.reusedSocket, answered: false })
    proxyReq.once('timeout', () => { timedOut.add(req) })
  })
  proxy.on('proxyRes', (proxyRes, req) => {
    const attempt = attempts.get(req)
    if (attempt !== undefined) attempt.answered = true
    counts.http.forwarded++
    stripResponseHopByHop(proxyRes.headers, proxyRes.statusCode === 101)
  })
  // Emitted once the upstream accepted the upgrade and the two sockets are piped.
  proxy.on('open', () => { counts.websocket.forwarded++ })
  // Errors come to each call's callback; the emitter's own event would otherwise be unhandled.
  proxy.on('error', () => undefined)
  proxy.on('econnreset', () => undefined)

  const classify = (req: IncomingMessage, err: Error): UpstreamFailure =>
    timedOut.has(req) ? 'timeout' : req.socket.destroyed && (err as NodeJS.ErrnoException).code === 'ECONNRESET' ? 'client-gone' : 'unreachable'

  /**
   * The upstream closed a pooled keep-alive connection just as this request went out on it (its
   * close and our send crossed): nothing was answered, so a resendable request goes again.
   */
  function closedUnderUs (req: IncomingMessage, res: ServerResponse, err: Error): boolean {
    const attempt = attempts.get(req)
    const code = (err as NodeJS.ErrnoException).code
    return attempt !== undefined && attempt.reusedSocket && !attempt.answered && !res.headersSent &&
      (code === 'ECONNRESET' || code === 'EPIPE') && !req.socket.destroyed && !timedOut.has(req) && resendable(req)
  }

  return {
    web (req, res, { target, agent: via = agent }, onFailure) {
      let sends = 0
      const send = (through: Agent | false): void => {
        const current = ++sends
        proxy.web(req, res, { target, agent: through }, (err) => {
          // A send given up on can still report: its listeners stay on the client's request.
          if (current !== sends) return
          // Once, on a new connection: another pooled one may be just as stale.
          if (current === 1 && closedUnderUs(req, res, err)) {
            req.unpipe()
            send(false)
            return
          }
          const failure = classify(req, err)
          counts.http[failure]++
          onFailure(failure, err)
        })
      }
      send(via)
    },
    ws (req, socket, head, { target, agent: via }, onFailure) {
      // An upgrade takes a new connection (agent false) rather than a pooled one that might be
      // closing: its request cannot be sent again, since the client's socket is already handed over.
      proxy.ws(req, socket, head, { target, agent: via ?? false, proxyTimeout: 0 }, (err) => {
        const failure = classify(req, err)
        counts.websocket[failure]++
        onFailure(failure, err)
      })
    },
    counts,
    close () {
      proxy.close()
      agent.destroy()
    }
  }
}
