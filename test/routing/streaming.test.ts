// 100 MB up and 100 MB down through the router to a stand-in instance: bodies stream, they are not
// buffered, so the process's memory barely moves (the test client runs in the same process and
// streams too). Uploads above ROUTING_BODY_LIMIT are refused with 413, declared or not.
import http from 'node:http'
import { Readable } from 'node:stream'
import t from 'tap'
import { signUp } from '../helpers/auth.js'
import { docker as dockerEngine, dockerImage, requireComponents } from '../helpers/components.js'
import { cookieHeader, request, toLoopback } from '../helpers/local-hosts.js'
import { buildRouterApp, createInstance, removeTenantResources, signInOnInstance } from '../helpers/routing.js'

const STANDIN = 'openclaw-cloud/standin:latest'
const MB = 1024 * 1024
const SIZE = 100 * MB
const BODY_LIMIT = 150 * MB
/** What "a few MB" means here: RSS of the whole test process (router and client). */
// Buffering would grow the process by the whole body (100 MB); streaming stays far below, though
// garbage collection timing varies with load.
const MAX_GROWTH = 48 * MB

/** `total` bytes in 64 KiB chunks of one reused buffer: the client itself holds almost nothing. */
function zeros (total: number): Readable {
  const chunk = Buffer.alloc(64 * 1024)
  let left = total
  return new Readable({
    read () {
      if (left <= 0) { this.push(null); return }
      const size = Math.min(left, chunk.length)
      left -= size
      this.push(size === chunk.length ? chunk : chunk.subarray(0, size))
    }
  })
}

/** Peak RSS above the starting point while `work` runs. */
async function peakGrowth (work: () => Promise<void>): Promise<number> {
  global.gc?.()
  const start = process.memoryUsage.rss()
  let peak = start
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()) }, 10)
  try { await work() } finally { clearInterval(timer) }
  return Math.max(peak, process.memoryUsage.rss()) - start
}

t.test('100 MB each way streams through the router', async (t) => {
  if (!(await requireComponents(t, dockerEngine, dockerImage(STANDIN)))) return
  const cleanup: string[] = []
  t.teardown(async () => { for (const id of cleanup) await removeTenantResources(id) })
  const app = await buildRouterApp(t, { tenantImage: STANDIN, tenantPlans: { free: { memory: 128 * MB } }, routingBodyLimit: BODY_LIMIT })
  const alice = await signUp(app)
  const instance = await createInstance(app, alice, 'free', cleanup)
  t.equal(instance.events.at(-1), 'routable')
  const cookie = cookieHeader((await signInOnInstance(instance.url, alice.cookie)).jar)
  // Warm up the connection pools and code paths, so the measurement sees the transfer only.
  await request(`${instance.url}/download?bytes=${10 * MB}`, { headers: { cookie } })
  await request(`${instance.url}/upload`, { method: 'POST', headers: { cookie }, body: zeros(10 * MB) })

  let uploaded = 0
  const up = await peakGrowth(async () => {
    const answer = await request(`${instance.url}/upload`, { method: 'POST', headers: { cookie, 'content-type': 'application/octet-stream' }, body: zeros(SIZE) })
    uploaded = JSON.parse(answer.body).bodyBytes
  })
  t.equal(uploaded, SIZE, 'the instance received every byte (chunked upload)')
  t.comment(`upload 100 MB: peak RSS growth ${(up / MB).toFixed(1)} MB`)
  t.ok(up < MAX_GROWTH, `upload peak RSS growth ${(up / MB).toFixed(1)} MB < ${MAX_GROWTH / MB} MB`)

  let downloaded = 0
  const down = await peakGrowth(async () => {
    await new Promise<void>((resolve, reject) => {
      http.get(`${instance.url}/download?bytes=${SIZE}`, { headers: { cookie }, lookup: toLoopback, agent: false }, (res) => {
        res.on('data', (chunk: Buffer) => { downloaded += chunk.length })
        res.on('end', resolve)
        res.on('error', reject)
      }).on('error', reject)
    })
  })
  t.equal(downloaded, SIZE, 'every byte arrived')
  t.comment(`download 100 MB: peak RSS growth ${(down / MB).toFixed(1)} MB`)
  t.ok(down < MAX_GROWTH, `download peak RSS growth ${(down / MB).toFixed(1)} MB < ${MAX_GROWTH / MB} MB`)

  const declared = await request(`${instance.url}/upload`, { method: 'POST', headers: { cookie, 'content-length': String(BODY_LIMIT + 1) } })
  t.equal(declared.status, 413, 'a declared body over the limit is refused before it is read')
  const undeclared = await request(`${instance.url}/upload`, { method: 'POST', headers: { cookie }, body: zeros(BODY_LIMIT + MB) }).catch((err: Error) => ({ status: 0, body: err.message }))
  t.ok(undeclared.status === 413 || undeclared.status === 0, `a chunked body over the limit is cut off (${undeclared.status})`)
})
