// Stand-in for an OpenClaw gateway, for fast tests of whatever sits in front of a tenant container
// (router, tunnel, reconciler). It speaks just enough HTTP and WebSocket to prove that requests,
// headers, large bodies and upgrades reach the container intact, and starts in milliseconds.
//
//   GET /healthz, /readyz     200 {"ok":true,"status":"live"|"ready"}    (OpenClaw's probe paths)
//   GET /download?bytes=N     streams N bytes (application/octet-stream), never held in memory
//   any other request         200 {"method","url","headers","bodyBytes"}; the body is counted as it
//                             streams in, never buffered, so multi-gigabyte uploads are fine
//   WebSocket, any path       first message: {"type":"hello","url","headers"} of the upgrade
//                             request; then every message is echoed back (text stays text)
//
// Port: OPENCLAW_GATEWAY_PORT or PORT, default 18789 (OpenClaw's gateway port). Plain ESM with
// only `ws` as a dependency so it runs on Node 20 and 24 alike.
import { Buffer } from 'node:buffer'
import http from 'node:http'
import process from 'node:process'
import { setTimeout } from 'node:timers'
import { URL } from 'node:url'
import { WebSocketServer } from 'ws'

const log = (fields) => process.stdout.write(JSON.stringify({ time: new Date().toISOString(), ...fields }) + '\n')

const port = Number(process.env.OPENCLAW_GATEWAY_PORT ?? process.env.PORT ?? 18789)
const host = process.env.HOST ?? '0.0.0.0'
const CHUNK = Buffer.alloc(64 * 1024, 0x61)
const MAX_DOWNLOAD = 64 * 1024 ** 3

function sendJson (res, status, body) {
  const payload = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store'
  })
  res.end(payload)
}

function download (req, res, url) {
  const raw = url.searchParams.get('bytes') ?? '0'
  const total = Number(raw)
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(total) || total > MAX_DOWNLOAD) {
    req.resume()
    sendJson(res, 400, { statusCode: 400, error: 'Bad Request', message: `bytes must be an integer between 0 and ${MAX_DOWNLOAD}` })
    return
  }
  req.resume()
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total, 'cache-control': 'no-store' })
  if (req.method === 'HEAD') { res.end(); return }
  let left = total
  const pump = () => {
    while (left > 0) {
      const n = Math.min(left, CHUNK.length)
      left -= n
      if (!res.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
        res.once('drain', pump)
        return
      }
    }
    res.end()
  }
  res.once('close', () => { left = 0 })
  pump()
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://standin.invalid')
  if ((req.method === 'GET' || req.method === 'HEAD') && (url.pathname === '/healthz' || url.pathname === '/readyz')) {
    req.resume()
    sendJson(res, 200, { ok: true, status: url.pathname === '/healthz' ? 'live' : 'ready', standin: true })
    return
  }
  if ((req.method === 'GET' || req.method === 'HEAD') && url.pathname === '/download') {
    download(req, res, url)
    return
  }
  let bodyBytes = 0
  req.on('data', (chunk) => { bodyBytes += chunk.length })
  req.on('end', () => {
    sendJson(res, 200, { method: req.method, url: req.url, headers: req.headers, bodyBytes })
  })
  req.on('error', () => res.destroy())
})

// Large uploads may take a while through slow proxies; never time a request out here.
server.requestTimeout = 0
server.headersTimeout = 60_000
server.keepAliveTimeout = 65_000

const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 * 1024 })
wss.on('connection', (socket, req) => {
  socket.send(JSON.stringify({ type: 'hello', url: req.url, headers: req.headers }))
  socket.on('message', (data, isBinary) => {
    if (socket.readyState === socket.OPEN) socket.send(data, { binary: isBinary })
  })
  socket.on('error', () => socket.terminate())
})

server.listen(port, host, () => {
  log({ msg: 'standin listening', host, port, node: process.version, uid: process.getuid?.() })
})

function shutdown (signal) {
  log({ msg: 'standin stopping', signal })
  for (const client of wss.clients) client.terminate()
  server.close(() => process.exit(0))
  server.closeAllConnections?.()
  setTimeout(() => process.exit(0), 2000).unref()
}
process.on('SIGTERM', () => shutdown('SIGTERM'))
process.on('SIGINT', () => shutdown('SIGINT'))
