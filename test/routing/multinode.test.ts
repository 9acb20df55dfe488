// Several server nodes behind one balancer: two real server processes sharing PostgreSQL, Redis and
// the server keys. Single sign-on started on one node completes on the other (the one-time code is
// in the database, and it is used once). A simulated box's tunnel ends on node A; its owner's
// requests and WebSockets reach it through node B, which proxies them to A over the internal hop;
// when the box goes away B shows it offline; node A refuses a hop without a valid token; and a
// release through A is followed by B at once.
import pino from 'pino'
import t from 'tap'
import type { Test } from 'tap'
import { createTokenSource } from '../../firmware/cloud/token.js'
import { createTunnelClient } from '../../firmware/tunnel/client.js'
import { loadServerKeys } from '../../plugins/oauth/secrets.js'
import { createNodeHop, NODE_HOP_HEADER } from '../../plugins/routing/node-hop.js'
import { generateDeviceId } from '../../protocol/device-id.js'
import { boxSlug } from '../../protocol/tunnel.js'
import { postgresql, redis, requireComponents } from '../helpers/components.js'
import { startStandInGateway, type GatewayAnswer } from '../helpers/box-gateway.js'
import { registerBoxThroughFactory, startServer, type FactoryServer } from '../helpers/factory-station.js'
import { cookieHeader, cookiesOf, freePort, nextJson, openWebSocket, request, type Answer } from '../helpers/local-hosts.js'
import { createScratchDatabase } from '../helpers/postgres.js'
import { registerUser } from '../helpers/server-process.js'
import { BROWSER } from '../helpers/routing.js'
import { until } from '../helpers/wait.js'

const PLUGINS = 'oauth,devices,scheduler,tenants,routing'

/** Node A, then node B with A's data directory (its server keys), both named as each other's peers by ROUTING_NODE_URL. */
async function startNodes (t: Test): Promise<{ a: FactoryServer, b: FactoryServer }> {
  const database = await createScratchDatabase()
  t.teardown(() => database.drop())
  const [portA, portB] = [await freePort(), await freePort()]
  // One public URL for both, as behind a balancer: device tokens name it as their audience.
  const shared = { DATABASE_URL: database.url, REDIS_URL: 'redis://127.0.0.1:6379', PUBLIC_URL: `http://127.0.0.1:${portA}`, OPENCLAW_CLOUD_PLUGINS: PLUGINS, TUNNEL_PING_INTERVAL: '1000' }
  const a = await startServer(t, { ...shared, PORT: String(portA), ROUTING_NODE_URL: `http://127.0.0.1:${portA}` })
  const b = await startServer(t, { ...shared, PORT: String(portB), ROUTING_NODE_URL: `http://127.0.0.1:${portB}`, OPENCLAW_CLOUD_DATA_DIR: a.dataDir })
  return { a, b }
}

/** The same URL on another node (what a balancer does: same host name, another machine). */
const onNode = (url: string, node: { url: string }): string => {
  const moved = new URL(url)
  moved.port = new URL(node.url).port
  return moved.toString()
}

/** The console's session cookie, as a browser gets it by signing in. */
async function consoleCookie (node: { url: string }, email: string, password: string): Promise<string> {
  const login = await fetch(`${node.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) })
  if (!login.ok) throw new Error(`login ${email}: ${login.status} ${await login.text()}`)
  return login.headers.getSetCookie().map((line) => line.split(';', 1)[0]).join('; ')
}

t.test('a box whose tunnel is on node A, reached through node B', async (t) => {
  if (!(await requireComponents(t, postgresql, redis))) return
  const { a, b } = await startNodes(t)

  // The factory registers the box on A; its owner claims it through B.
  const { id: deviceId, keys, code: claimCode, status } = await registerBoxThroughFactory(a, 'multinode')
  t.equal(status, 200, 'the box is registered through A')
  const owner = await registerUser(b.url, 'owner@multinode.test')
  const ownerEmail = owner.email
  const consoleSession = await consoleCookie(a, owner.email, owner.password)
  const claimed = await fetch(`${b.url}/api/devices/claim`, {
    method: 'POST',
    headers: { authorization: `Bearer ${owner.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ deviceId, code: claimCode })
  })
  t.equal(claimed.status, 200, 'claimed through B')

  // The box's tunnel ends on A.
  const gateway = await startStandInGateway(t, 'living-room')
  const box = createTunnelClient({
    serverUrl: a.url,
    tokens: createTokenSource({ deviceId, privateKey: keys.privateKey, audience: a.url }),
    gatewayPort: gateway.port,
    log: pino({ level: process.env.BOX_LOG ?? 'silent' }),
    backoff: { initialMs: 100, maxMs: 60_000 }
  })
  t.teardown(() => box.stop())
  box.start()
  await until('the tunnel on A', () => box.connected, 15_000)

  const origin = `http://${boxSlug(deviceId)}.localhost:${new URL(a.url).port}`
  const viaB = (path: string): string => onNode(`${origin}${path}`, b)
  let ownerCookie = ''

  await t.test('single sign-on started on B, authorized on A, completed on B; the code works once', async (t) => {
    const start = await request(viaB('/hello'), { headers: BROWSER })
    t.equal(start.status, 302, 'B sends the signed-out owner to sign in')
    const pendingJar = cookiesOf(start)
    const authorize = await request(start.headers.location!, { headers: { ...BROWSER, cookie: consoleSession } })
    t.equal(new URL(start.headers.location!).port, new URL(a.url).port, 'at the console, which the balancer gave to A')
    t.equal(authorize.status, 302)
    const callback = new URL(authorize.headers.location!)
    t.ok(callback.searchParams.get('code'), 'A issued a code')
    const redeemed = await request(onNode(callback.toString(), b), { headers: { ...BROWSER, cookie: cookieHeader(pendingJar) } })
    t.equal(redeemed.status, 302, 'B redeemed the code A issued')
    t.equal(redeemed.headers.location, '/hello', 'and returns to the page asked for')
    const jar = cookiesOf(redeemed)
    t.ok(jar.oc_instance, 'with the host session cookie')
    ownerCookie = cookieHeader({ oc_instance: jar.oc_instance! })

    const again = await request(onNode(callback.toString(), a), { headers: { ...BROWSER, cookie: cookieHeader(pendingJar) } })
    t.equal(again.status, 400, 'the same code redeemed again, on A, is refused')
    t.match(again.body, /Sign-in did not complete/)
    t.notOk(cookiesOf(again).oc_instance, 'and signs nobody in')
  })

  await t.test('the owner reaches the box through B, over HTTP and WebSocket', async (t) => {
    const hello = await request(viaB('/hello?x=1'), { headers: { ...BROWSER, cookie: ownerCookie } })
    t.equal(hello.status, 200)
    t.match(JSON.parse(hello.body) as GatewayAnswer, { gateway: 'living-room', method: 'GET', url: '/hello?x=1', user: ownerEmail }, 'the box\'s gateway answers, seeing the owner')
    const posted = await request(viaB('/upload'), { method: 'POST', headers: { ...BROWSER, cookie: ownerCookie, 'content-type': 'text/plain' }, body: 'x'.repeat(100_000) })
    t.match(JSON.parse(posted.body) as GatewayAnswer, { method: 'POST', bytes: 100_000 }, 'a request body arrives whole')

    const socket = await openWebSocket(viaB('/ws').replace(/^http/, 'ws'), { cookie: ownerCookie })
    socket.send('hello from B')
    t.same(await nextJson(socket), { gateway: 'living-room', echo: 'hello from B', user: ownerEmail }, 'a WebSocket through B echoes from the box')
    socket.close()

    const anonymous = await request(viaB('/hello'), { headers: BROWSER })
    t.equal(anonymous.status, 302, 'without the cookie B still asks to sign in')
    t.notMatch(anonymous.body, /living-room/)
  })

  await t.test('node A refuses the internal hop without a valid token', async (t) => {
    const onA = `${origin}/hello`
    const expectRefused = (answer: Answer, what: string): void => {
      t.equal(answer.status, 403, what)
      t.match(JSON.parse(answer.body), { code: 'NODE_HOP_REFUSED' }, `${what}: said why`)
      t.notMatch(answer.body, /living-room/, `${what}: nothing of the box`)
    }
    const plain = await request(onA, { headers: BROWSER })
    t.equal(plain.status, 302, 'no hop header: the public path, which asks to sign in')
    expectRefused(await request(onA, { headers: { ...BROWSER, [NODE_HOP_HEADER]: 'let-me-in' } }), 'a made-up token')
    const otherKeys = createNodeHop(Buffer.alloc(32, 1))
    expectRefused(await request(onA, { headers: { ...BROWSER, [NODE_HOP_HEADER]: otherKeys.sign(deviceId) } }), 'a token of another key')
    const hop = createNodeHop((await loadServerKeys(a.dataDir)).csrfSecret)
    expectRefused(await request(onA, { headers: { ...BROWSER, [NODE_HOP_HEADER]: hop.sign(generateDeviceId()) } }), 'a token for another box')
    expectRefused(await request(onA, { headers: { ...BROWSER, [NODE_HOP_HEADER]: hop.sign(deviceId, Date.now() - 120_000) } }), 'an old token')
    await t.rejects(openWebSocket(`${origin.replace(/^http/, 'ws')}/ws`, { [NODE_HOP_HEADER]: 'let-me-in' }), /upgrade refused: 403/, 'nor a WebSocket')
    const valid = await request(onA, { headers: { ...BROWSER, [NODE_HOP_HEADER]: hop.sign(deviceId) } })
    t.equal(valid.status, 200, 'a token made with the server keys is what lets a hop through')
  })

  await t.test('the box goes away: B shows it offline', async (t) => {
    await box.stop()
    let answer: Answer | undefined
    await until('B says offline', async () => {
      answer = await request(viaB('/hello'), { headers: { ...BROWSER, cookie: ownerCookie } })
      return answer.status === 502
    }, 10_000)
    t.match(answer!.body, /Your box is offline/, 'the offline page')
    await t.rejects(openWebSocket(viaB('/ws').replace(/^http/, 'ws'), { cookie: ownerCookie }), /upgrade refused: 502/, 'and its WebSocket is refused')
  })

  await t.test('released through A: B follows at once, not at its next reload', async (t) => {
    const released = await fetch(`${a.url}/api/devices/${deviceId}/release`, { method: 'POST', headers: { authorization: `Bearer ${owner.accessToken}` } })
    t.equal(released.status, 200, 'the owner releases the box through A')
    const started = Date.now()
    await until('B no longer knows the box as the owner\'s', async () => (await request(viaB('/hello'), { headers: { ...BROWSER, cookie: ownerCookie } })).status === 404, 5_000)
    t.ok(Date.now() - started < 5_000, 'B answers "not found" within seconds (its full reload is every 30 s)')
  })
})
