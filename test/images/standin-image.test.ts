// The stand-in gateway image (scripts/images/build-standin-image.sh) behaves like a tenant
// container as seen through the network: probes, echoed requests, WebSocket, large transfers.
import t from 'tap'
import { Readable } from 'node:stream'
import WebSocket from 'ws'
import { docker as dockerEngine, dockerImage, requireComponents } from '../helpers/components.js'
import { createNetwork, docker, runContainer, waitForStatus } from '../helpers/docker.js'

const IMAGE = 'openclaw-cloud/standin:latest'
const PORT = 18789

t.test('stand-in image', async (t) => {
  if (!await requireComponents(t, dockerEngine, dockerImage(IMAGE))) return

  const network = await createNetwork(t)
  const started = performance.now()
  const container = await runContainer(t, { network, image: IMAGE, args: ['--memory', '128m'] })
  const base = `http://${container.ip}:${PORT}`
  await waitForStatus(`${base}/healthz`, { timeoutMs: 10_000, intervalMs: 20 })
  const startupMs = performance.now() - started
  t.comment(`docker run -> /healthz 200 in ${startupMs.toFixed(0)} ms`)
  t.ok(startupMs < 5000, 'answers within seconds of docker run')

  t.test('runs as uid 1000 (user node)', async (t) => {
    t.equal(await docker('inspect', container.id, '--format', '{{.Config.User}}'), 'node')
    t.equal(await docker('exec', container.id, 'node', '-p', 'process.getuid() + ":" + process.getgid()'), '1000:1000')
  })

  t.test('probes answer 200 JSON', async (t) => {
    for (const path of ['/healthz', '/readyz']) {
      const res = await fetch(`${base}${path}`)
      t.equal(res.status, 200, path)
      t.match(res.headers.get('content-type'), /application\/json/)
      t.match(await res.json(), { ok: true })
    }
  })

  t.test('other requests are echoed with their headers', async (t) => {
    const res = await fetch(`${base}/some/path?q=1`, {
      method: 'PUT',
      headers: { 'x-forwarded-user': 'alice@example.com', 'x-custom': 'yes' },
      body: 'hello'
    })
    t.equal(res.status, 200)
    const echo = await res.json() as { method: string, url: string, headers: Record<string, string>, bodyBytes: number }
    t.equal(echo.method, 'PUT')
    t.equal(echo.url, '/some/path?q=1')
    t.equal(echo.headers['x-forwarded-user'], 'alice@example.com')
    t.equal(echo.headers['x-custom'], 'yes')
    t.equal(echo.headers.host, `${container.ip}:${PORT}`)
    t.equal(echo.bodyBytes, 5)
  })

  t.test('a 50 MB upload is counted as it streams', async (t) => {
    const size = 50 * 1024 * 1024
    const chunk = Buffer.alloc(1024 * 1024, 0x62)
    const body = Readable.from((function * () { for (let i = 0; i < size / chunk.length; i++) yield chunk })())
    const res = await fetch(`${base}/upload`, {
      method: 'POST',
      body: Readable.toWeb(body) as ReadableStream<Uint8Array>,
      duplex: 'half'
    } as RequestInit & { duplex: 'half' })
    t.match(await res.json(), { method: 'POST', bodyBytes: size })
  })

  t.test('/download?bytes=N streams 50 MB', async (t) => {
    const size = 50 * 1024 * 1024
    const res = await fetch(`${base}/download?bytes=${size}`)
    t.equal(res.status, 200)
    t.equal(res.headers.get('content-length'), String(size))
    let received = 0
    let chunks = 0
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) { received += chunk.length; chunks++ }
    t.equal(received, size, 'every byte arrives')
    t.ok(chunks > 1, `arrives as a stream (${chunks} chunks)`)
    const bad = await fetch(`${base}/download?bytes=lots`)
    t.equal(bad.status, 400, 'a bad byte count is a 400')
    await bad.arrayBuffer()
  })

  t.test('WebSocket: hello with the upgrade headers, then echo', async (t) => {
    const socket = new WebSocket(`ws://${container.ip}:${PORT}/ws/chat?x=1`, { headers: { 'x-forwarded-user': 'alice@example.com' } })
    t.teardown(() => socket.terminate())
    const messages: Array<{ data: Buffer, isBinary: boolean }> = []
    const waiters: Array<() => void> = []
    socket.on('message', (data: Buffer, isBinary: boolean) => { messages.push({ data, isBinary }); waiters.shift()?.() })
    const next = async (): Promise<{ data: Buffer, isBinary: boolean }> => {
      if (messages.length === 0) await new Promise<void>((resolve) => waiters.push(resolve))
      return messages.shift() as { data: Buffer, isBinary: boolean }
    }
    await new Promise<void>((resolve, reject) => { socket.once('open', () => resolve()); socket.once('error', reject) })
    const hello = JSON.parse((await next()).data.toString()) as { type: string, url: string, headers: Record<string, string> }
    t.equal(hello.type, 'hello')
    t.equal(hello.url, '/ws/chat?x=1')
    t.equal(hello.headers['x-forwarded-user'], 'alice@example.com')
    t.equal(hello.headers.upgrade?.toLowerCase(), 'websocket')

    socket.send('ping')
    const text = await next()
    t.same({ text: text.data.toString(), isBinary: text.isBinary }, { text: 'ping', isBinary: false }, 'text echoed as text')
    const bytes = Buffer.from([0, 1, 2, 255])
    socket.send(bytes)
    const binary = await next()
    t.ok(binary.isBinary && binary.data.equals(bytes), 'binary echoed as binary')
  })

  t.test('stops promptly on SIGTERM', async (t) => {
    const stopStarted = performance.now()
    await docker('stop', '--time', '10', container.id)
    const stopMs = performance.now() - stopStarted
    t.ok(stopMs < 5000, `stopped in ${stopMs.toFixed(0)} ms`)
    t.equal(await docker('inspect', container.id, '--format', '{{.State.ExitCode}}'), '0', 'exit code 0')
  })
})
