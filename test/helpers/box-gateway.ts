// A stand-in for a box's OpenClaw gateway on 127.0.0.1: answers with what it received (its own
// name, the identity header, the path), counts and hashes uploaded bodies as they stream, and
// echoes WebSocket messages at /ws. Closed with the test.
import { createHash } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer } from 'ws'

export interface StandInGateway { name: string, port: number }

export interface GatewayAnswer { gateway: string, method: string, url: string, user: string | null, bytes: number, sha256: string }

export async function startStandInGateway (t: { teardown: (fn: () => unknown) => void }, name: string): Promise<StandInGateway> {
  const server = http.createServer((req, res) => {
    const hash = createHash('sha256')
    let bytes = 0
    req.on('data', (chunk: Buffer) => { bytes += chunk.length; hash.update(chunk) })
    req.on('end', () => {
      const answer: GatewayAnswer = { gateway: name, method: req.method ?? '', url: req.url ?? '', user: (req.headers['x-forwarded-user'] as string | undefined) ?? null, bytes, sha256: hash.digest('hex') }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(answer))
    })
  })
  const sockets = new WebSocketServer({ server, path: '/ws' })
  sockets.on('connection', (socket, req) => {
    socket.on('message', (data) => { socket.send(JSON.stringify({ gateway: name, echo: data.toString(), user: req.headers['x-forwarded-user'] ?? null })) })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => {
    for (const client of sockets.clients) client.terminate()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  return { name, port: (server.address() as AddressInfo).port }
}
