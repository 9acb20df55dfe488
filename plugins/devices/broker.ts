// The embedded MQTT broker (ARCHITECTURE §3 "MQTT"): Aedes behind plain TCP, TLS when a certificate
// is configured, and WebSocket at /mqtt on the HTTP server. Knows which box is connected on which
// session; what boxes may do is decided by the hooks it is given (auth.ts, acl.ts).
import { Aedes, type Client, type PublishPacket, type Subscription } from 'aedes'
import createRedisPersistence from 'aedes-persistence-redis'
import type { FastifyBaseLogger } from 'fastify'
import { Redis } from 'ioredis'
import createRedisEmitter from 'mqemitter-redis'
import type { IncomingMessage, Server as HttpServer } from 'node:http'
import net, { type AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import tls from 'node:tls'
import { createWebSocketStream, WebSocketServer } from 'ws'
import type { Acl } from './acl.js'
import type { Authenticate } from './auth.js'

export const MQTT_WEBSOCKET_PATH = '/mqtt'

export interface BrokerOptions {
  host: string
  port: number
  tls?: { port: number, cert: Buffer, key: Buffer }
  /** Where MQTT over WebSocket is served, at MQTT_WEBSOCKET_PATH. */
  httpServer: HttpServer
  maxPayload: number
  authenticate: Authenticate
  acl: Acl
  log: FastifyBaseLogger
  events: BrokerEvents
  /** With Redis, every server process is a node of one broker: shared message bus, sessions and retained messages. */
  redisUrl?: string
}

export interface BrokerEvents {
  connected: (deviceId: string) => void
  disconnected: (deviceId: string) => void
  /** The box subscribed to these filters, or resumed a session that holds them. */
  subscribed: (deviceId: string, topics: string[]) => void
  /** Some node asked (`deliverAnywhere`) for the box's pending commands to be sent; called where it is connected. */
  deliveryRequested: (deviceId: string) => void
}

export interface DeviceBroker {
  readonly port: number
  readonly tlsPort: number | undefined
  /** Live MQTT sessions on this server node. */
  readonly connections: number
  isConnected: (deviceId: string) => boolean
  isSubscribed: (deviceId: string, topic: string) => boolean
  /** Writes a packet to the box's live session; false when it has none. Resolves once written. */
  send: (deviceId: string, packet: Pick<PublishPacket, 'topic' | 'payload' | 'qos'>) => Promise<boolean>
  /** The server's own publisher: straight into the broker, no network credential involved. */
  publish: (packet: Pick<PublishPacket, 'topic' | 'payload' | 'qos' | 'retain'>) => Promise<void>
  /** Ends the box's session on whichever node holds it. */
  disconnect: (deviceId: string) => void
  /** Asks the node holding the box's session (maybe this one) to send its pending commands. */
  deliverAnywhere: (deviceId: string) => void
  /** Resolves when Aedes and every listener answer. */
  check: () => Promise<void>
  close: () => Promise<void>
}

type Subscriptions = Record<string, Subscription | undefined>

// Node-to-node requests ride the broker's own message bus (local, or Redis in cluster mode). Clients
// can neither publish nor subscribe under $SYS (Aedes refuses it, and so does our ACL).
const CONTROL_TOPIC = '$SYS/openclaw-cloud/control'
interface ControlMessage { action: 'disconnect' | 'deliver', deviceId: string }
type ControlHandler = (packet: { payload: Buffer | string }, done: () => void) => void
/** The broker's message bus (mqemitter), which Aedes' type declarations leave out. */
interface MessageBus {
  on: (topic: string, handler: ControlHandler) => void
  removeListener: (topic: string, handler: ControlHandler, done: () => void) => void
  emit: (message: { topic: string, payload: Buffer }, done: (err?: Error) => void) => void
}

async function listen (server: net.Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => { server.off('error', reject); resolve() })
  })
  return (server.address() as AddressInfo).port
}

async function closeServer (server: net.Server): Promise<void> {
  if (!server.listening) return
  await new Promise<void>((resolve) => server.close(() => resolve()))
}

export async function startBroker (options: BrokerOptions): Promise<DeviceBroker> {
  const { log, events } = options
  const sessions = new Map<string, Client>()

  const cluster = options.redisUrl === undefined
    ? {}
    : {
        // The subscriber connection skips ioredis' ready check (an INFO command), which fails once the
        // connection is in subscriber mode: "Connection in subscriber mode, only subscriber commands may be used".
        mq: createRedisEmitter({ subConn: new Redis(options.redisUrl, { enableReadyCheck: false }) as never, pubConn: new Redis(options.redisUrl) as never }),
        persistence: createRedisPersistence({ conn: new Redis(options.redisUrl) })
      }
  const aedes = await Aedes.createBroker({
    ...cluster,
    // The hooks are callback-style; each of ours is adapted here, once.
    authenticate: (client, username, password, done) => {
      options.authenticate(client, username, password).then(() => done(null, true), (err: Error) => done(err as never, false))
    },
    authorizePublish: (client, packet, done) => {
      try {
        options.acl.authorizePublish(client, packet)
      } catch (err) {
        done(err as Error)
        return
      }
      done(null)
    },
    authorizeSubscribe: (client, subscription, done) => {
      let granted
      try {
        granted = options.acl.authorizeSubscribe(client, subscription)
      } catch (err) {
        done(err as Error)
        return
      }
      done(null, granted)
    }
  })

  aedes.on('clientReady', (client) => {
    sessions.set(client.id, client)
    events.connected(client.id)
    // A resumed session (clean = 0) keeps its subscriptions without a new SUBSCRIBE (MQTT 3.1.1 §3.1.2.4).
    const restored = Object.keys((client as unknown as { subscriptions: Subscriptions }).subscriptions)
    if (restored.length > 0) events.subscribed(client.id, restored)
  })
  aedes.on('clientDisconnect', (client) => {
    // After a session takeover (MQTT 3.1.1 §3.1.4-2) the old connection's goodbye must not mark the new one gone.
    if (sessions.get(client.id) !== client) return
    sessions.delete(client.id)
    events.disconnected(client.id)
  })
  aedes.on('subscribe', (subscriptions, client) => {
    if (sessions.get(client.id) === client) events.subscribed(client.id, subscriptions.filter((s) => (s.qos as number) !== 0x80).map((s) => s.topic))
  })
  aedes.on('clientError', (client, err) => { log.debug({ deviceId: client.id, err: err.message }, 'MQTT client error') })
  aedes.on('connectionError', (_client, err) => { log.debug({ err: err.message }, 'MQTT connection error') })

  const session = (deviceId: string): Client | undefined => {
    const client = sessions.get(deviceId)
    return client?.connected === true && !client.closed ? client : undefined
  }
  const bus = (aedes as unknown as { mq: MessageBus }).mq
  const onControl: ControlHandler = (packet, done) => {
    const { action, deviceId } = JSON.parse(packet.payload.toString()) as ControlMessage
    if (action === 'disconnect') sessions.get(deviceId)?.close()
    else if (session(deviceId) !== undefined) events.deliveryRequested(deviceId)
    done()
  }
  bus.on(CONTROL_TOPIC, onControl)
  const control = (message: ControlMessage): void => {
    bus.emit({ topic: CONTROL_TOPIC, payload: Buffer.from(JSON.stringify(message)) }, (err?: Error) => {
      if (err) log.error({ err, ...message }, 'MQTT control message failed')
    })
  }

  const handle = (stream: Duplex, request?: IncomingMessage): void => { aedes.handle(stream, request) }
  const tcp = net.createServer(handle)
  const secure = options.tls === undefined ? undefined : tls.createServer({ cert: options.tls.cert, key: options.tls.key }, handle)

  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload + 1024 })
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (new URL(request.url ?? '/', 'http://x').pathname !== MQTT_WEBSOCKET_PATH) return
    wss.handleUpgrade(request, socket, head, (ws) => {
      // At once: a frame that arrives before the stream listens would be lost.
      const stream = createWebSocketStream(ws)
      stream.on('error', () => { ws.terminate() })
      handle(stream, request)
    })
  }
  options.httpServer.on('upgrade', onUpgrade)

  let port: number
  let tlsPort: number | undefined
  try {
    port = await listen(tcp, options.port, options.host)
    if (secure !== undefined) tlsPort = await listen(secure, options.tls!.port, options.host)
  } catch (err) {
    options.httpServer.off('upgrade', onUpgrade)
    await closeServer(tcp)
    await new Promise<void>((resolve) => aedes.close(() => resolve()))
    throw err
  }
  log.info({ port, tlsPort, websocket: MQTT_WEBSOCKET_PATH }, 'MQTT broker listening')

  return {
    port,
    tlsPort,
    get connections () { return sessions.size },
    isConnected: (deviceId) => session(deviceId) !== undefined,
    isSubscribed (deviceId, topic) {
      const client = session(deviceId)
      return client !== undefined && (client as unknown as { subscriptions: Subscriptions }).subscriptions[topic] !== undefined
    },
    async send (deviceId, packet) {
      const client = session(deviceId)
      if (client === undefined) return false
      return await new Promise((resolve) => {
        client.publish({ cmd: 'publish', dup: false, retain: false, ...packet }, (err) => resolve(err === undefined || err === null))
      })
    },
    async publish (packet) {
      if (aedes.closed) return
      await new Promise<void>((resolve, reject) => {
        aedes.publish({ cmd: 'publish', dup: false, ...packet }, (err) => { if (err) reject(err); else resolve() })
      })
    },
    disconnect: (deviceId) => { control({ action: 'disconnect', deviceId }) },
    deliverAnywhere: (deviceId) => { control({ action: 'deliver', deviceId }) },
    async check () {
      if (aedes.closed) throw new Error('MQTT broker is closed')
      if (!tcp.listening) throw new Error('MQTT listener is not listening')
      if (secure !== undefined && !secure.listening) throw new Error('MQTT TLS listener is not listening')
    },
    async close () {
      options.httpServer.off('upgrade', onUpgrade)
      const closing = [closeServer(tcp), secure === undefined ? undefined : closeServer(secure)]
      await new Promise<void>((resolve) => bus.removeListener(CONTROL_TOPIC, onControl, () => resolve()))
      await new Promise<void>((resolve) => aedes.close(() => resolve()))
      for (const ws of wss.clients) ws.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      await Promise.all(closing)
    }
  }
}
