// The box's tunnel client against a stand-in cloud that speaks the tunnel protocol (WebSocket at
// /tunnel, HTTP/2 client over it): what the box lets through (CONNECT to its gateway port only),
// what it sends when dialling, and how it comes back after the cloud drops it.
import http from 'node:http'
import { connect, type ClientHttp2Session } from 'node:http2'
import type { AddressInfo } from 'node:net'
import pino from 'pino'
import t from 'tap'
import { createWebSocketStream, WebSocketServer, type WebSocket } from 'ws'
import { createTokenSource } from '../../firmware/cloud/token.js'
import { createTunnelClient, tunnelUrl } from '../../firmware/tunnel/client.js'
import { generateDeviceId } from '../../protocol/device-id.js'
import { verifyDeviceJwt } from '../../protocol/device-jwt.js'
import { generateDeviceKeyPair } from '../../protocol/device-keys.js'
import { TUNNEL_GATEWAY_PORT_HEADER, tunnelAuthority } from '../../protocol/tunnel.js'
import { startStandInGateway } from '../helpers/box-gateway.js'
import { until } from '../helpers/wait.js'

interface Dial { headers: http.IncomingHttpHeaders, ws: WebSocket, session: ClientHttp2Session }

/** A cloud that accepts every tunnel and keeps an HTTP/2 client session on each. */
async function startStandInCloud (t: { teardown: (fn: () => unknown) => void }): Promise<{ url: string, dials: Dial[] }> {
  const dials: Dial[] = []
  const server = http.createServer()
  const wss = new WebSocketServer({ server, path: '/tunnel' })
  wss.on('connection', (ws, request) => {
    const stream = createWebSocketStream(ws)
    stream.on('error', () => { ws.terminate() })
    const session = connect('http://box.tunnel', { createConnection: () => stream })
    session.on('error', () => undefined)
    dials.push({ headers: request.headers, ws, session })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => {
    // Closing the WebSocket ends the session with it (destroying a session whose stream has a write
    // pending trips an assertion inside Node's JSStreamSocket).
    for (const dial of dials) dial.ws.terminate()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, dials }
}

/** Opens a stream on the box's session and resolves with the status the box answered. */
async function statusOf (session: ClientHttp2Session, headers: Record<string, string>): Promise<number> {
  return await new Promise((resolve, reject) => {
    const stream = session.request(headers, headers[':method'] === 'CONNECT' ? {} : { endStream: true })
    stream.once('response', (response) => { resolve(Number(response[':status'])); stream.close() })
    stream.once('error', reject)
  })
}

t.test('tunnel URL from the server URL', async (t) => {
  t.equal(tunnelUrl('https://cloud.example.com'), 'wss://cloud.example.com/tunnel')
  t.equal(tunnelUrl('http://127.0.0.1:3000/'), 'ws://127.0.0.1:3000/tunnel')
  t.equal(tunnelUrl('https://example.com/openclaw'), 'wss://example.com/openclaw/tunnel', 'a server under a path keeps it')
})

t.test('the box lets the cloud reach its gateway and nothing else', async (t) => {
  const cloud = await startStandInCloud(t)
  const gateway = await startStandInGateway(t, 'box')
  const other = await startStandInGateway(t, 'something else on the box')
  const deviceId = generateDeviceId()
  const keys = generateDeviceKeyPair()
  const client = createTunnelClient({
    serverUrl: cloud.url,
    tokens: createTokenSource({ deviceId, privateKey: keys.privateKey, audience: cloud.url }),
    gatewayPort: gateway.port,
    log: pino({ level: 'silent' }),
    backoff: { initialMs: 100, maxMs: 200 }
  })
  t.teardown(() => client.stop())
  client.start()
  const dial = await until('the box to dial', () => cloud.dials[0])
  t.equal(dial.headers[TUNNEL_GATEWAY_PORT_HEADER], String(gateway.port), 'it names its gateway port')
  const token = /^Bearer (\S+)$/.exec(dial.headers.authorization ?? '')?.[1] ?? ''
  t.equal(await verifyDeviceJwt(token, { audience: cloud.url, publicKeyFor: async () => keys.publicKey }), deviceId, 'with a device JWT it signed itself')
  await until('the tunnel to count as open', () => client.connected)

  t.equal(await statusOf(dial.session, { ':method': 'CONNECT', ':authority': tunnelAuthority(gateway.port) }), 200, 'CONNECT to the gateway port is accepted')
  t.equal(await statusOf(dial.session, { ':method': 'CONNECT', ':authority': tunnelAuthority(other.port) }), 403, 'CONNECT to another port is refused')
  t.equal(await statusOf(dial.session, { ':method': 'CONNECT', ':authority': `10.0.0.1:${gateway.port}` }), 403, 'CONNECT to another host is refused')
  t.equal(await statusOf(dial.session, { ':method': 'GET', ':path': '/', ':scheme': 'http', ':authority': tunnelAuthority(gateway.port) }), 403, 'plain requests are refused')

  // Through an accepted CONNECT the bytes are the gateway's own HTTP/1.1.
  const body = await new Promise<string>((resolve, reject) => {
    const stream = dial.session.request({ ':method': 'CONNECT', ':authority': tunnelAuthority(gateway.port) })
    stream.once('error', reject)
    let text = ''
    stream.on('data', (chunk: Buffer) => { text += chunk.toString() })
    stream.once('end', () => { resolve(text) })
    stream.end('GET /through HTTP/1.1\r\nhost: box\r\nconnection: close\r\n\r\n')
  })
  t.match(body, /^HTTP\/1\.1 200 OK/)
  t.match(body, /"url":"\/through"/, 'the gateway answered the tunnelled request')

  dial.ws.terminate()
  await until('the box to dial again after the cloud dropped it', () => cloud.dials[1])
  await client.stop()
  t.notOk(client.connected, 'stopped')
  const dialsWhenStopped = cloud.dials.length
  await new Promise((resolve) => setTimeout(resolve, 500))
  t.equal(cloud.dials.length, dialsWhenStopped, 'a stopped client dials no more')
})
