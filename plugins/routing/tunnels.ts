// Box tunnels, the server side (ARCHITECTURE §3 "Tunnel"): a box dials `GET /tunnel` (WebSocket
// upgrade, device JWT as bearer token, checked by the devices plugin's one verifier). Over the
// WebSocket this side runs an HTTP/2 client session; each proxied connection is a CONNECT stream
// (RFC 9113 §8.5) to the box's gateway port, handed to the proxy engine by a per-box connector, so
// the proxy code is the same as for containers. One tunnel per box: a newer one replaces the older.
import { STATUS_CODES, type IncomingMessage } from 'node:http'
import { connect, type ClientHttp2Session } from 'node:http2'
import type { Duplex } from 'node:stream'
import type { FastifyBaseLogger } from 'fastify'
import { createWebSocketStream, WebSocketServer, type WebSocket } from 'ws'
import { DeviceJwtError } from '../../protocol/device-jwt.js'
import {
  TUNNEL_GATEWAY_PORT_HEADER, TUNNEL_MAX_STREAMS, TUNNEL_PATH, TUNNEL_REPLACED_CLOSE_CODE, TUNNEL_SESSION_MEMORY_MB, TUNNEL_SESSION_WINDOW_BYTES,
  TUNNEL_STREAM_WINDOW_BYTES, tunnelAuthority
} from '../../protocol/tunnel.js'
import { errorBody } from '../../server/errors.js'
import type { DevicesApi } from '../devices/types.js'
import type { Connector } from './proxy.js'
import { createBudget, meteredStream } from './tunnel-meter.js'

export interface BoxTunnel {
  deviceId: string
  /** What the proxy is asked to reach (`http://127.0.0.1:<gateway port>`); `connect` gets there through the tunnel. */
  target: string
  connect: Connector
}

/** Plain counters for the metrics plugin. */
export interface TunnelStats {
  /** Open tunnels on this server node. */
  sessions: number
  opened: number
  refused: number
  /** Tunnel bytes (HTTP/2 framing included) from boxes and to boxes. */
  bytesReceived: number
  bytesSent: number
}

export interface Tunnels {
  get: (deviceId: string) => BoxTunnel | undefined
  /** A listener for the HTTP server's 'upgrade' event; requests for other paths are left alone. */
  upgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => void
  close: () => void
  stats: TunnelStats
}

export interface TunnelOptions {
  devices: Pick<DevicesApi, 'verifyToken' | 'find' | 'onChange'>
  /** Bytes per second per box, both directions together; 0 for no limit. */
  bandwidth: number
  pingIntervalMs: number
  log: FastifyBaseLogger
  /** Told when this node starts and stops holding a box's tunnel (the directory other nodes read). */
  directory?: { opened: (deviceId: string) => void, closed: (deviceId: string) => void }
}

/**
 * Opens CONNECT streams over one box's HTTP/2 session, the tunnel's connections: at most
 * TUNNEL_MAX_STREAMS open at once (WebSockets included, for as long as they are open), the others
 * waiting in line. The proxy engine takes a new one for every request and never reuses a finished
 * one: the gateway behind the box may be closing that connection.
 */
function streamOpener (session: ClientHttp2Session, authority: string): Connector {
  let open = 0
  const waiting: Array<() => void> = []
  // Waiting requests learn that the session is gone (opening their stream fails).
  session.once('close', () => { for (const start of waiting.splice(0)) start() })

  function openStream (created: Parameters<Connector>[0]): void {
    let stream
    try {
      stream = session.request({ ':method': 'CONNECT', ':authority': authority })
    } catch (err) {
      created(err as Error) // the session closed in the meantime
      return
    }
    open++
    stream.once('close', () => {
      open--
      waiting.shift()?.()
    })
    stream.once('response', (headers) => {
      if (headers[':status'] !== 200) stream.destroy(new Error(`the box refused the connection (${headers[':status']})`))
    })
    created(null, stream)
  }

  return (created) => {
    if (open < TUNNEL_MAX_STREAMS && waiting.length === 0) openStream(created)
    else waiting.push(() => { openStream(created) })
  }
}

function bearerToken (authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1]
}

function gatewayPort (value: string | string[] | undefined): number | undefined {
  const port = typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : NaN
  return port >= 1 && port <= 65535 ? port : undefined
}

export function createTunnels (options: TunnelOptions): Tunnels {
  const { devices, log } = options
  const stats: TunnelStats = { sessions: 0, opened: 0, refused: 0, bytesReceived: 0, bytesSent: 0 }
  const live = new Map<string, BoxTunnel & { shut: () => void, replace: () => void }>()
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false })

  function refuse (socket: Duplex, status: number, code: string, message: string): void {
    stats.refused++
    const body = JSON.stringify(errorBody(status, code, message))
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
  }

  function open (deviceId: string, port: number, ws: WebSocket): void {
    // At once (ARCHITECTURE §3 pitfall): a frame that arrives before the stream listens is lost.
    const raw = createWebSocketStream(ws)
    raw.on('error', () => { ws.terminate() })
    // Alive: answered the last ping, or sent anything since (a pong can wait behind megabytes of data).
    let answered = true
    const stream = meteredStream(raw, createBudget(options.bandwidth), {
      received: (bytes) => { stats.bytesReceived += bytes; answered = true },
      sent: (bytes) => { stats.bytesSent += bytes }
    })
    stream.on('error', () => { ws.terminate() })
    const session = connect('http://box.tunnel', {
      createConnection: () => stream,
      maxSessionMemory: TUNNEL_SESSION_MEMORY_MB,
      settings: { initialWindowSize: TUNNEL_STREAM_WINDOW_BYTES }
    })
    session.once('connect', () => { session.setLocalWindowSize(TUNNEL_SESSION_WINDOW_BYTES) })
    session.on('error', (err) => { log.warn({ deviceId, err: err.message }, 'tunnel session error') })
    const authority = tunnelAuthority(port)

    ws.on('pong', () => { answered = true })
    const pinger = setInterval(() => {
      if (!answered) { log.warn({ deviceId }, 'box tunnel did not answer a ping: closed'); ws.terminate(); return }
      answered = false
      ws.ping()
    }, options.pingIntervalMs)

    const tunnel = {
      deviceId,
      target: `http://${authority}`,
      connect: streamOpener(session, authority),
      shut: () => { ws.terminate() },
      // Said, so the box behind an old tunnel that is still alive (a second copy) dials again only slowly.
      replace: () => { ws.close(TUNNEL_REPLACED_CLOSE_CODE, 'replaced by a newer tunnel of this box') }
    }
    const previous = live.get(deviceId)
    live.set(deviceId, tunnel)
    stats.sessions = live.size
    options.directory?.opened(deviceId)
    stats.opened++
    if (previous !== undefined) {
      log.info({ deviceId }, 'box tunnel replaced by a newer one')
      previous.replace()
    }
    // The session ends with its stream (meteredStream follows the WebSocket); destroying it here
    // while a write is pending would trip an assertion inside Node's JSStreamSocket.
    ws.once('close', () => {
      clearInterval(pinger)
      if (live.get(deviceId) !== tunnel) return
      live.delete(deviceId)
      stats.sessions = live.size
      options.directory?.closed(deviceId)
      log.info({ deviceId }, 'box tunnel closed')
    })
    session.once('close', () => { ws.terminate() })
    log.info({ deviceId, gatewayPort: port }, 'box tunnel open')
  }

  async function accept (request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const token = bearerToken(request.headers.authorization)
    if (token === undefined) { refuse(socket, 401, 'DEVICE_UNAUTHENTICATED', 'The tunnel needs `Authorization: Bearer <device JWT>`'); return }
    const port = gatewayPort(request.headers[TUNNEL_GATEWAY_PORT_HEADER])
    if (port === undefined) { refuse(socket, 400, 'INVALID_GATEWAY_PORT', `Header ${TUNNEL_GATEWAY_PORT_HEADER} must be the box's gateway port, 1-65535`); return }
    let deviceId: string
    try {
      deviceId = await devices.verifyToken(token)
    } catch (err) {
      if (!(err instanceof DeviceJwtError)) throw err
      log.warn({ deviceId: err.deviceId, code: err.code }, 'box tunnel refused')
      refuse(socket, 401, 'DEVICE_UNAUTHENTICATED', `${err.code}: ${err.message}`)
      return
    }
    if (socket.destroyed) return
    wss.handleUpgrade(request, socket, head, (ws) => { open(deviceId, port, ws) })
  }

  // A revoked box loses its open tunnel at once; the verifier refuses its next one.
  const unsubscribe = devices.onChange((deviceId) => {
    if (!live.has(deviceId)) return
    devices.find(deviceId).then((device) => {
      if (device === null || device.state === 'revoked') {
        log.warn({ deviceId }, 'box revoked: tunnel closed')
        live.get(deviceId)?.shut()
      }
    }, (err: Error) => { log.warn({ deviceId, err: err.message }, 'tunnels: cannot re-read box') })
  })

  return {
    get: (deviceId) => live.get(deviceId),
    upgrade (request, socket, head) {
      if (new URL(request.url ?? '/', 'http://x').pathname !== TUNNEL_PATH) return
      socket.on('error', () => { socket.destroy() })
      accept(request, socket, head).catch((err: unknown) => {
        log.error({ err }, 'box tunnel upgrade failed')
        socket.destroy()
      })
    },
    close () {
      unsubscribe()
      for (const tunnel of live.values()) tunnel.shut()
      wss.close()
    },
    stats
  }
}
