// The box's side of the tunnel (ARCHITECTURE §3 "Tunnel"): dials `ws(s)://<server>/tunnel` with a
// fresh device JWT and serves HTTP/2 over that WebSocket. The cloud opens one CONNECT stream
// (RFC 9113 §8.5) per proxied connection; each is piped to the local gateway port, the one target
// allowed — anything else is answered 403. Lost tunnels are dialled again with jittered backoff.
import { createServer, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2'
import { connect as connectTcp } from 'node:net'
import type { Logger } from 'pino'
import { createWebSocketStream, WebSocket } from 'ws'
import {
  TUNNEL_BOX_MAX_STREAMS, TUNNEL_GATEWAY_PORT_HEADER, TUNNEL_PATH, TUNNEL_REPLACED_CLOSE_CODE, TUNNEL_SESSION_MEMORY_MB, TUNNEL_SESSION_WINDOW_BYTES,
  TUNNEL_SILENCE_LIMIT_MS, TUNNEL_STREAM_WINDOW_BYTES, tunnelAuthority
} from '../../protocol/tunnel.js'
import { jitteredDelay, type Backoff } from '../cloud/backoff.js'
import type { TokenSource } from '../cloud/token.js'

export interface TunnelClientOptions {
  /** The cloud's public URL (the credential file's `serverUrl`); the tunnel is at its TUNNEL_PATH. */
  serverUrl: string
  tokens: TokenSource
  /** Loopback port of the box's gateway: the only place a CONNECT may go. */
  gatewayPort: number
  log: Logger
  backoff?: Backoff
  /** Dial again after this long without a ping or any data from the cloud. */
  silenceLimitMs?: number
}

export interface TunnelClient {
  /** Dials (again) until stopped; calling it while running changes nothing. */
  start: () => void
  stop: () => Promise<void>
  readonly connected: boolean
}

/** `http(s)://host[/base]` -> `ws(s)://host[/base]/tunnel`. */
export function tunnelUrl (serverUrl: string): string {
  const url = new URL(serverUrl)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  url.pathname = `${url.pathname.replace(/\/$/, '')}${TUNNEL_PATH}`
  return url.toString()
}

export function createTunnelClient (options: TunnelClientOptions): TunnelClient {
  const { log } = options
  const backoff = options.backoff ?? { initialMs: 1000, maxMs: 60_000 }
  const authority = tunnelAuthority(options.gatewayPort)
  let stopped = true
  let attempt = 0
  let retry: NodeJS.Timeout | undefined
  let current: WebSocket | undefined
  let connected = false

  const http2 = createServer({
    maxSessionMemory: TUNNEL_SESSION_MEMORY_MB,
    settings: { maxConcurrentStreams: TUNNEL_BOX_MAX_STREAMS, initialWindowSize: TUNNEL_STREAM_WINDOW_BYTES }
  })
  http2.on('session', (session) => { session.once('connect', () => { session.setLocalWindowSize(TUNNEL_SESSION_WINDOW_BYTES) }) })
  http2.on('stream', (stream, headers) => { serveStream(stream, headers) })
  http2.on('sessionError', (err) => { log.debug({ err: err.message }, 'tunnel session error') })

  function serveStream (stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    stream.on('error', () => { stream.destroy() })
    if (headers[':method'] !== 'CONNECT' || headers[':authority'] !== authority) {
      log.warn({ method: headers[':method'], authority: headers[':authority'] }, 'tunnel request refused: only CONNECT to the gateway is allowed')
      stream.respond({ ':status': 403 }, { endStream: true })
      return
    }
    const socket = connectTcp(options.gatewayPort, '127.0.0.1')
    socket.once('connect', () => {
      stream.respond({ ':status': 200 })
      socket.pipe(stream).pipe(socket)
    })
    socket.on('error', () => {
      if (!stream.headersSent) stream.respond({ ':status': 502 }, { endStream: true })
      else stream.destroy()
    })
    stream.once('close', () => { socket.destroy() })
  }

  function scheduleDial (slowly = false): void {
    if (stopped || retry !== undefined) return
    const delay = slowly ? backoff.maxMs : jitteredDelay(backoff, attempt)
    attempt++
    retry = setTimeout(() => { retry = undefined; void dial() }, delay)
  }

  async function dial (): Promise<void> {
    if (stopped) return
    let token: string
    try {
      token = await options.tokens.get()
    } catch (err) {
      log.error({ err }, 'cannot sign a device token for the tunnel')
      scheduleDial()
      return
    }
    if (stopped) return
    const ws = new WebSocket(tunnelUrl(options.serverUrl), {
      headers: { authorization: `Bearer ${token}`, [TUNNEL_GATEWAY_PORT_HEADER]: String(options.gatewayPort) },
      perMessageDeflate: false
    })
    current = ws
    // At once (ARCHITECTURE §3 pitfall): a frame that arrives before the stream listens is lost.
    const stream = createWebSocketStream(ws)
    stream.on('error', () => { ws.terminate() })
    let silence: NodeJS.Timeout | undefined
    const heard = (): void => {
      clearTimeout(silence)
      silence = setTimeout(() => { log.warn('tunnel silent too long: dialling again'); ws.terminate() }, options.silenceLimitMs ?? TUNNEL_SILENCE_LIMIT_MS)
    }
    ws.on('ping', heard)
    ws.on('message', heard)
    ws.once('open', () => {
      connected = true
      attempt = 0
      heard()
      log.info('tunnel open')
      http2.emit('connection', stream)
    })
    ws.once('unexpected-response', (_request, response) => {
      log.warn({ status: response.statusCode }, 'the cloud refused the tunnel')
      response.resume()
      ws.terminate()
    })
    ws.on('error', (err) => { log.debug({ err: err.message }, 'tunnel error') })
    ws.once('close', (code) => {
      clearTimeout(silence)
      stream.destroy()
      if (current !== ws) return
      current = undefined
      if (connected) log.warn({ code }, 'tunnel closed')
      connected = false
      scheduleDial(code === TUNNEL_REPLACED_CLOSE_CODE)
    })
  }

  return {
    start () {
      if (!stopped) return
      stopped = false
      attempt = 0
      void dial()
    },
    async stop () {
      stopped = true
      clearTimeout(retry)
      retry = undefined
      const ws = current
      current = undefined
      connected = false
      if (ws !== undefined && ws.readyState !== WebSocket.CLOSED) {
        const closed = new Promise((resolve) => ws.once('close', resolve))
        ws.terminate()
        await closed
      }
    },
    get connected () { return connected }
  }
}
