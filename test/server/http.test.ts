import { once } from 'node:events'
import { mkdir, writeFile } from 'node:fs/promises'
import { connect, type AddressInfo } from 'node:net'
import path from 'node:path'
import { Writable } from 'node:stream'
import pino from 'pino'
import t from 'tap'
import { loggerOptions } from '../../server/logger.js'
import { buildTestApp, tempDir } from '../helpers/app.js'
import { echo } from '../helpers/fixture-plugins.js'

const uniformError = { statusCode: Number, code: String, error: String, message: String }

t.test('liveness, readiness, API docs and OpenAPI document', async (t) => {
  const app = await buildTestApp(t)
  const health = await app.inject('/health')
  t.equal(health.statusCode, 200)
  t.equal(health.json().status, 'ok')

  const ready = await app.inject('/ready')
  t.equal(ready.statusCode, 200)
  t.same(ready.json(), { status: 'ready', checks: { database: 'ok' } })

  const docs = await app.inject('/docs/')
  t.equal(docs.statusCode, 200)
  t.match(docs.headers['content-type'], 'text/html')
  t.match(docs.body, 'swagger')

  const openapi = await app.inject('/api/openapi.json')
  t.equal(openapi.statusCode, 200)
  const spec = openapi.json()
  t.equal(spec.openapi, '3.0.3')
  t.ok(spec.paths['/health'], 'documents /health')
  t.ok(spec.paths['/api/admin/plugins'], 'documents the plugin list')

  t.equal((await app.inject('/')).headers.location, '/docs', 'without a built console, / leads to the API docs')
})

t.test('readiness turns 503 and names the failing check', async (t) => {
  const app = await buildTestApp(t)
  app.readiness.add('broker', async () => { throw new Error('connection refused') })
  const ready = await app.inject('/ready')
  t.equal(ready.statusCode, 503)
  t.match(ready.json(), { ...uniformError, code: 'NOT_READY', message: 'Not ready: broker: connection refused', checks: { database: 'ok', broker: 'connection refused' } })
})

t.test('bad input gets a 4xx with the uniform error body, never a 500', async (t) => {
  const app = await buildTestApp(t, { installed: [echo] })
  const post = (payload: string | Buffer, contentType = 'application/json') =>
    app.inject({ method: 'POST', url: '/api/echo', payload, headers: { 'content-type': contentType } })

  const ok = await post(JSON.stringify({ name: 'box', count: 2 }))
  t.equal(ok.statusCode, 200)
  t.same(ok.json(), { received: { name: 'box', count: 2 } })

  const malformed = await post('{"name": "box",')
  t.equal(malformed.statusCode, 400)
  t.match(malformed.json(), { ...uniformError, statusCode: 400, code: 'INVALID_JSON', error: 'Bad Request' })

  const empty = await post('')
  t.equal(empty.statusCode, 400)
  t.equal(empty.json().code, 'INVALID_JSON')

  const wrongType = await post('name=box', 'application/x-www-form-urlencoded')
  t.equal(wrongType.statusCode, 415)
  t.match(wrongType.json(), { code: 'UNSUPPORTED_MEDIA_TYPE', error: 'Unsupported Media Type', message: /application\/x-www-form-urlencoded/ })

  const wrongField = await post(JSON.stringify({ name: 42 }))
  t.equal(wrongField.statusCode, 400)
  t.match(wrongField.json(), { code: 'VALIDATION_FAILED', message: 'body/name must be string' })

  const unknownField = await post(JSON.stringify({ name: 'box', admin: true }))
  t.equal(unknownField.statusCode, 400)
  t.match(unknownField.json(), { code: 'VALIDATION_FAILED', message: /must NOT have additional properties/ })

  const huge = await post(Buffer.alloc(10 * 1024 * 1024, 'a'))
  t.equal(huge.statusCode, 413)
  t.match(huge.json(), { ...uniformError, code: 'BODY_TOO_LARGE', error: 'Payload Too Large' })

  const unknownRoute = await app.inject('/api/nothing-here?x=1')
  t.equal(unknownRoute.statusCode, 404)
  t.same(unknownRoute.json(), { statusCode: 404, code: 'NOT_FOUND', error: 'Not Found', message: 'Route GET /api/nothing-here not found' })

  const wrongMethod = await app.inject({ method: 'DELETE', url: '/health' })
  t.equal(wrongMethod.statusCode, 404)
})

t.test('an internal failure is a 500 without internals, and the server keeps serving', async (t) => {
  const app = await buildTestApp(t, { installed: [echo] })
  const broken = await app.inject('/api/broken')
  t.equal(broken.statusCode, 500)
  t.match(broken.json(), { ...uniformError, code: 'INTERNAL_ERROR', error: 'Internal Server Error' })
  t.notMatch(broken.body, 'hunter2')
  t.notMatch(broken.body, '/srv/secret')
  t.notMatch(broken.body, /at .*\.ts:\d+/, 'no stack trace')
  t.equal((await app.inject('/health')).statusCode, 200)
})

t.test('request ids: generated, or taken from a plain x-request-id, and echoed', async (t) => {
  const app = await buildTestApp(t)
  const generated = await app.inject('/health')
  t.match(generated.headers['x-request-id'], /^[0-9a-f-]{36}$/)
  const passed = await app.inject({ url: '/health', headers: { 'x-request-id': 'edge-42.a' } })
  t.equal(passed.headers['x-request-id'], 'edge-42.a')
  const hostile = await app.inject({ url: '/health', headers: { 'x-request-id': 'x\n{"level":60}' } })
  t.match(hostile.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'a hostile id is replaced')
})

t.test('security headers are set', async (t) => {
  const app = await buildTestApp(t)
  const response = await app.inject('/health')
  t.equal(response.headers['x-content-type-options'], 'nosniff')
  t.equal(response.headers['x-frame-options'], 'SAMEORIGIN')
  t.match(response.headers['content-security-policy'], "default-src 'self'")
  t.notMatch(response.headers['content-security-policy'], 'upgrade-insecure-requests', 'plain-http embedded default keeps working')
})

t.test('logs never carry passwords, tokens, cookies or OAuth codes', async (t) => {
  const lines: string[] = []
  const sink = new Writable({ write (chunk, _encoding, done) { lines.push(String(chunk)); done() } })
  const logger = pino(loggerOptions('info'), sink)
  const app = await buildTestApp(t, { installed: [echo], logger })
  await app.inject({
    method: 'POST',
    url: '/api/sign-in-like?code=oauth-code-999&state=st-777&page=2',
    headers: { authorization: 'Bearer sekrit-bearer', cookie: 'sid=cookie-value-123' },
    payload: { email: 'ada@example.com', password: 'correct horse battery staple' }
  })
  const log = lines.join('')
  t.match(log, 'sign-in attempt', 'the route logged its line')
  t.match(log, 'page=2', 'harmless query parameters stay')
  for (const secret of ['correct horse', 'tok_abc123', 'oauth-code-999', 'st-777', 'sekrit-bearer', 'cookie-value-123']) {
    t.notMatch(log, secret, `${secret} is not logged`)
  }
})

t.test('serves the built console, with its index for client-side routes', async (t) => {
  const uiDir = path.join(await tempDir(t), 'dist')
  await mkdir(uiDir)
  await writeFile(path.join(uiDir, 'index.html'), '<!doctype html><title>OpenClaw Cloud</title><oc-app></oc-app>')
  await writeFile(path.join(uiDir, 'app.js'), 'console.log("console")')
  const app = await buildTestApp(t, { uiDir })

  const root = await app.inject('/')
  t.equal(root.statusCode, 200)
  t.match(root.body, '<oc-app>')
  t.match((await app.inject('/app.js')).body, 'console')

  const deepLink = await app.inject({ url: '/instances/tenant-7k3m', headers: { accept: 'text/html' } })
  t.equal(deepLink.statusCode, 200, 'a browser navigation to a console route gets the console')
  t.match(deepLink.body, '<oc-app>')

  const apiMiss = await app.inject({ url: '/api/nope', headers: { accept: 'text/html' } })
  t.equal(apiMiss.statusCode, 404)
  t.equal(apiMiss.json().code, 'NOT_FOUND', 'API paths stay JSON')
})

t.test('a WebSocket upgrade to a path no plugin serves gets a 404, not a socket left open', async (t) => {
  const app = await buildTestApp(t)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  const socket = connect({ host: '127.0.0.1', port })
  socket.write('GET /no-such-socket HTTP/1.1\r\nhost: localhost\r\nconnection: upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n')
  let answer = ''
  socket.on('data', (chunk: Buffer) => { answer += chunk.toString() })
  await once(socket, 'close')
  t.match(answer, /^HTTP\/1\.1 404 Not Found\r\n/, 'answered 404 and closed')
})
