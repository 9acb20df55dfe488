// The router's pooled keep-alive connections to instances. A Node upstream (OpenClaw's gateway is
// one) closes a connection that stayed idle for its keep-alive timeout; a request the router sends on
// it just then meets a reset. Seen with the real gateway: the Control UI's burst of parallel asset
// requests got 502s, each an ECONNRESET on a pooled connection idle for 6.03 s (Node 24's 5 s
// keep-alive timeout plus its 1 s buffer; the router kept idle connections forever). Here, against
// local upstreams: the router retires idle connections before 5 s, and a GET whose pooled connection
// was closed under it is sent once more on a new connection, so every request of a burst after a
// pause is answered; a POST is never sent twice. And a request whose client left does not hold its
// upstream connection.
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import path from 'node:path'
import t, { type Test } from 'tap'
import { signUp } from '../helpers/auth.js'
import { cookieHeader, request } from '../helpers/local-hosts.js'
import { buildRouterApp, instanceServedBy, signInOnInstance } from '../helpers/routing.js'

/** Node's default `server.keepAliveTimeout`, what OpenClaw's gateway runs with. */
const NODE_KEEP_ALIVE_TIMEOUT_MS = 5000
const BURST = 24

async function listen (server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const pause = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

t.test('pooled connections to an instance', async (t) => {
  // No container behind these instances: local upstreams, and no reconciler sweep in the test's time.
  const app = await buildRouterApp(t, { reconcileInterval: 3_600_000, dockerSocket: path.join(t.testdirName, 'no-docker.sock') })
  const alice = await signUp(app)
  const signedIn = async (slug: string, upstream: string): Promise<{ origin: string, cookie: string }> => {
    const origin = await instanceServedBy(app, alice.user, slug, upstream)
    return { origin, cookie: cookieHeader((await signInOnInstance(origin, alice.cookie)).jar) }
  }

  await t.test('an idle connection is closed by the router before a Node upstream would close it', async (t) => {
    // This upstream never closes first, so whoever closes the connection is the router.
    const closedAt: number[] = []
    const upstream = http.createServer((_req, res) => { res.end('ok') })
    upstream.keepAliveTimeout = 60_000
    upstream.on('connection', (socket: Socket) => { socket.once('close', () => { closedAt.push(Date.now()) }) })
    const { origin, cookie } = await signedIn('idle', await listen(upstream))
    t.teardown(() => { upstream.closeAllConnections(); upstream.close() })

    t.equal((await request(`${origin}/`, { headers: { cookie } })).status, 200)
    const answeredAt = Date.now()
    const limit = NODE_KEEP_ALIVE_TIMEOUT_MS + 3000
    while (closedAt.length === 0 && Date.now() - answeredAt < limit) await pause(50)
    t.equal(closedAt.length, 1, `the router closed its idle connection (waited ${limit} ms)`)
    const idle = (closedAt[0] ?? Infinity) - answeredAt
    t.ok(idle < NODE_KEEP_ALIVE_TIMEOUT_MS, `after ${idle} ms idle, before a Node upstream's ${NODE_KEEP_ALIVE_TIMEOUT_MS} ms keep-alive timeout`)
  })

  // The moment a keep-alive timeout and a new request cross, made repeatable: a connection idle for
  // EXPIRED_MS is expired, and the next request on it is answered with a reset, which is what the
  // router meets when the upstream's close and its request cross on the wire.
  const EXPIRED_MS = 200
  async function expiringUpstream (t: Test): Promise<{ url: string, seen: { resets: number, posts: number } }> {
    const lastAnswer = new WeakMap<Socket, number>()
    const seen = { resets: 0, posts: 0 }
    const upstream = http.createServer((req, res) => {
      const last = lastAnswer.get(req.socket)
      if (last !== undefined && Date.now() - last > EXPIRED_MS) { seen.resets++; req.socket.resetAndDestroy(); return }
      if (req.method === 'POST') seen.posts++
      req.resume()
      req.on('end', () => { res.end(`answer to ${req.method} ${req.url}`) })
      res.on('finish', () => { lastAnswer.set(req.socket, Date.now()) })
    })
    const url = await listen(upstream)
    t.teardown(() => { upstream.closeAllConnections(); upstream.close() })
    return { url, seen }
  }

  await t.test('a burst after a pause: GETs on connections closed under the router are sent again', async (t) => {
    const { url, seen } = await expiringUpstream(t)
    const { origin, cookie } = await signedIn('expiring', url)
    const burst = async (): Promise<string[]> => await Promise.all(Array.from({ length: BURST }, async (_, i) => {
      const answer = await request(`${origin}/assets/${i}.js`, { headers: { cookie } })
      return `${answer.status} ${answer.body}`
    }))
    const expected = Array.from({ length: BURST }, (_, i) => `200 answer to GET /assets/${i}.js`)
    t.same(await burst(), expected, 'the first burst is answered')
    await pause(2 * EXPIRED_MS)
    t.same(await burst(), expected, 'after a pause, every request of the burst is answered, none 502')
    t.ok(seen.resets > 0, `requests did go out on pooled connections that were closed under them (${seen.resets}), and were sent again`)
  })

  await t.test('a client that leaves before the answer: the request to the instance ends too', async (t) => {
    let arrived = 0
    let closed = 0
    const upstream = http.createServer((req) => { arrived++; req.socket.once('close', () => { closed++ }) }) // never answers
    const { origin, cookie } = await signedIn('left', await listen(upstream))
    t.teardown(() => { upstream.closeAllConnections(); upstream.close() })
    const before = app.instanceRouter.proxied.http['client-gone']
    const { hostname, port } = new URL(origin)
    const leaving = http.get({ host: '127.0.0.1', port, path: '/long-poll', headers: { host: `${hostname}:${port}`, cookie } })
    leaving.on('error', () => undefined)
    while (arrived === 0) await pause(20)
    leaving.destroy()
    const waited = Date.now()
    while (closed === 0 && Date.now() - waited < 3000) await pause(20)
    t.equal(closed, 1, 'the instance saw its request end')
    t.equal(app.instanceRouter.proxied.http['client-gone'], before + 1, 'counted as client gone')
  })

  await t.test('a POST on a connection closed under the router is never sent twice', async (t) => {
    const { url, seen } = await expiringUpstream(t)
    const { origin, cookie } = await signedIn('expiring-post', url)
    const post = async (): Promise<number> => (await request(`${origin}/form`, { method: 'POST', headers: { cookie, 'content-type': 'text/plain' }, body: 'x' })).status
    t.equal(await post(), 200, 'the first POST, on a new connection')
    await pause(2 * EXPIRED_MS)
    const status = await post()
    t.equal(seen.resets, 1, 'the second went out on the pooled connection, closed under it')
    t.equal(status, 502, 'it is answered 502 ...')
    t.equal(seen.posts, 1, '... and not sent again: the upstream received only the first POST')
  })
})
