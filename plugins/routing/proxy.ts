// The proxy engine: http-proxy-3 (node-http-proxy's maintained successor) over a keep-alive agent.
// Bodies stream both ways with backpressure and are never buffered; WebSocket upgrades are piped
// as raw sockets. Only the agent decides how an upstream is reached (a box tunnel swaps it).
import { Agent, type IncomingMessage, type ServerResponse } from 'node:http'
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

export function createProxyEngine ({ upstreamTimeoutMs }: { upstreamTimeoutMs: number }): ProxyEngine {
  const agent = new Agent({ keepAlive: true, maxSockets: 1024, maxFreeSockets: 64, scheduling: 'lifo' })
  // xfwd off: the router sets X-Forwarded-* itself, overwriting; http-proxy would append.
  const proxy = createProxyServer({ agent, xfwd: false, changeOrigin: false, proxyTimeout: upstreamTimeoutMs, ws: true })
  const timedOut = new WeakSet<IncomingMessage>()
  const zero = (): Record<ProxyOutcome, number> => ({ forwarded: 0, unreachable: 0, timeout: 0, 'client-gone': 0 })
  const counts: ProxyCounts = { http: zero(), websocket: zero() }
  proxy.on('proxyReq', (proxyReq, req) => { proxyReq.once('timeout', () => { timedOut.add(req) }) })
  proxy.on('proxyRes', (proxyRes) => {
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

  return {
    web (req, res, { target, agent: via = agent }, onFailure) {
      proxy.web(req, res, { target, agent: via }, (err) => {
        const failure = classify(req, err)
        counts.http[failure]++
        onFailure(failure, err)
      })
    },
    ws (req, socket, head, { target, agent: via = agent }, onFailure) {
      proxy.ws(req, socket, head, { target, agent: via, proxyTimeout: 0 }, (err) => {
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
