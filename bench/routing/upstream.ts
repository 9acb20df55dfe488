// The bench's upstream, in a process of its own: `/small` (2 bytes), `/1mb`, and a WebSocket echo
// on any other upgrade. Prints `ready` once it listens.
//   tsx bench/routing/upstream.ts PORT
import http from 'node:http'
import { WebSocketServer } from 'ws'

const port = Number(process.argv[2])
if (!Number.isInteger(port) || port <= 0) throw new Error('usage: upstream.ts PORT')
const ONE_MB = Buffer.alloc(1024 * 1024, 'x')
const server = http.createServer((req, res) => {
  if (req.url === '/1mb') { res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': ONE_MB.length }); res.end(ONE_MB); return }
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 })
  res.end('ok')
})
server.keepAliveTimeout = 60_000
const echo = new WebSocketServer({ server })
echo.on('connection', (socket) => { socket.on('message', (data, binary) => { socket.send(data, { binary }) }) })
server.listen(port, '127.0.0.1', () => { console.log('ready') })
process.once('SIGTERM', () => { process.exit(0) })
