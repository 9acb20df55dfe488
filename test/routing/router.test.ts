// The router with instances of the stand-in image (it echoes the headers it receives): single
// sign-on round trip, owner-only access, what reaches the instance (never a client's identity or
// forwarding headers, never our cookies or tokens), WebSockets, upstream errors, lifecycle pages.
import net from 'node:net'
import t from 'tap'
import { Tenant } from '../../plugins/tenants/entities.js'
import { authHeaders, signUp } from '../helpers/auth.js'
import { docker as dockerEngine, dockerImage, requireComponents } from '../helpers/components.js'
import { cookieHeader, cookiesOf, nextJson, openWebSocket, request } from '../helpers/local-hosts.js'
import { BROWSER, buildRouterApp, createInstance, removeTenantResources, signInOnInstance } from '../helpers/routing.js'
import { until } from '../helpers/wait.js'

const STANDIN = 'openclaw-cloud/standin:latest'

interface Echo { method: string, url: string, headers: Record<string, string>, bodyBytes: number }

const SPOOFED = {
  'x-forwarded-user': 'mallory@example.com',
  'x-forwarded-for': '6.6.6.6',
  'x-forwarded-proto': 'gopher',
  'x-forwarded-host': 'evil.example',
  forwarded: 'for=6.6.6.6;by=evil',
  'x-real-ip': '6.6.6.6',
  'x-remote-user': 'mallory',
  'x-openclaw-scopes': 'operator.admin'
}

t.test('the router in front of stand-in instances', async (t) => {
  if (!(await requireComponents(t, dockerEngine, dockerImage(STANDIN)))) return
  const cleanup: string[] = []
  t.teardown(async () => { for (const id of cleanup) await removeTenantResources(id) })
  const app = await buildRouterApp(t, { tenantImage: STANDIN, tenantPlans: { free: { memory: 128 * 1024 ** 2 } }, reconcileInterval: 1000, routingUpstreamTimeout: 1500 })
  const alice = await signUp(app)
  const bob = await signUp(app)
  const instance = await createInstance(app, alice, 'free', cleanup)
  t.equal(instance.events.at(-1), 'routable', instance.events.join(' '))
  const origin = instance.url
  const host = new URL(origin).host

  await t.test('not signed in: to the console to sign in, and back', async (t) => {
    const first = await request(`${origin}/chat?x=1`, { headers: BROWSER })
    t.equal(first.status, 302)
    const authorize = new URL(first.headers.location!)
    t.equal(authorize.origin, app.config.publicUrl, 'sent to the console origin')
    t.equal(authorize.pathname, '/api/routing/authorize')
    t.equal(authorize.searchParams.get('client_id'), origin)
    t.equal(authorize.searchParams.get('redirect_uri'), `${origin}/_openclaw/callback`)
    t.equal(authorize.searchParams.get('code_challenge_method'), 'S256')
    const pendingCookie = (first.headers['set-cookie'] ?? [])[0] ?? ''
    t.match(pendingCookie, /HttpOnly/i)
    t.notMatch(pendingCookie, /Domain=/i, 'host-only')

    // No console session yet: the console's sign-in page, which returns to the authorize URL.
    const signIn = await request(authorize.toString(), { headers: BROWSER })
    t.equal(signIn.status, 302)
    const signInUrl = new URL(signIn.headers.location!)
    t.equal(`${signInUrl.origin}${signInUrl.pathname}`, `${app.config.publicUrl}/sign-in`)
    t.equal(signInUrl.searchParams.get('returnTo'), authorize.toString())

    // The console signs in (its API) with that returnTo, then the browser goes back.
    const login = await request(`${app.config.publicUrl}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: alice.email, password: alice.password, returnTo: authorize.toString() })
    })
    t.equal(login.status, 200, login.body)
    t.equal(JSON.parse(login.body).returnTo, authorize.toString())
    const consoleSetCookie = (login.headers['set-cookie'] ?? []).join('\n')
    t.notMatch(consoleSetCookie, /Domain=/i, 'the console cookie is host-only: instance hosts never receive it')
    const consoleCookie = cookieHeader(cookiesOf(login))

    const code = await request(authorize.toString(), { headers: { ...BROWSER, cookie: consoleCookie } })
    t.equal(code.status, 302)
    const callback = new URL(code.headers.location!)
    t.equal(`${callback.origin}${callback.pathname}`, `${origin}/_openclaw/callback`)
    t.ok(callback.searchParams.get('code'), 'a code')
    t.equal(callback.searchParams.get('state'), authorize.searchParams.get('state'))

    // Without the pending sign-in cookie (another browser), the code is useless.
    const stolen = await request(callback.toString(), { headers: BROWSER })
    t.equal(stolen.status, 400)
    const back = await request(callback.toString(), { headers: { ...BROWSER, cookie: cookieHeader(cookiesOf(first)) } })
    t.equal(back.status, 302)
    t.equal(back.headers.location, '/chat?x=1', 'back to the page first asked for')
    const sessionCookie = (back.headers['set-cookie'] ?? []).find((line) => line.startsWith('oc_instance='))!
    t.match(sessionCookie, /HttpOnly/i)
    t.match(sessionCookie, /SameSite=Lax/i)
    t.notMatch(sessionCookie, /Domain=/i, 'host-only')
    const jar = cookiesOf(back)
    const page = await request(`${origin}/chat?x=1`, { headers: { ...BROWSER, cookie: cookieHeader(jar) } })
    t.equal(page.status, 200)
    t.equal((JSON.parse(page.body) as Echo).url, '/chat?x=1')

    // A code is good once.
    const replay = await request(callback.toString(), { headers: { ...BROWSER, cookie: cookieHeader(cookiesOf(first)) } })
    t.equal(replay.status, 400)
  })

  await t.test('no open redirects', async (t) => {
    const trip = await signInOnInstance(origin, alice.cookie, '//evil.example/x')
    t.equal(trip.final.location, '/', 'a protocol-relative path returns to the instance root')
    const authorize = new URL(trip.hops[1]!.url)
    authorize.searchParams.set('redirect_uri', 'https://evil.example/_openclaw/callback')
    const bad = await request(authorize.toString(), { headers: { ...BROWSER, cookie: alice.cookie } })
    t.equal(bad.status, 400)
    t.equal(JSON.parse(bad.body).code, 'INVALID_AUTHORIZATION_REQUEST')
    authorize.searchParams.set('client_id', 'https://evil.example')
    authorize.searchParams.set('redirect_uri', 'https://evil.example/_openclaw/callback')
    t.equal((await request(authorize.toString(), { headers: { ...BROWSER, cookie: alice.cookie } })).status, 400)
  })

  const { jar } = await signInOnInstance(origin, alice.cookie)
  const ownerCookie = cookieHeader(jar)

  await t.test('identity and forwarding headers from the client never reach the instance', async (t) => {
    const answer = await request(`${origin}/echo`, {
      method: 'POST',
      headers: { ...SPOOFED, cookie: `${ownerCookie}; ${alice.cookie}; theme=dark`, origin, 'content-type': 'text/plain', connection: 'keep-alive, x-hop', 'x-hop': '1' },
      body: 'hello'
    })
    t.equal(answer.status, 200, answer.body)
    const echo = JSON.parse(answer.body) as Echo
    t.equal(echo.headers['x-forwarded-user'], alice.email, 'the owner, set by the router')
    t.equal(echo.headers['x-forwarded-for'], '192.0.2.2', 'the client address (loopback stand-in), not the client\'s chain')
    t.equal(echo.headers['x-forwarded-proto'], 'http')
    t.equal(echo.headers['x-forwarded-host'], host)
    t.equal(echo.headers.host, host)
    for (const name of ['forwarded', 'x-real-ip', 'x-remote-user', 'x-openclaw-scopes', 'x-hop']) t.notOk(name in echo.headers, `${name} removed`)
    t.equal(echo.headers.cookie, 'theme=dark', 'the instance\'s own cookies only: no router or console cookie')
    t.equal(echo.bodyBytes, 5)

    const viaToken = await app.inject({ method: 'POST', url: '/api/tokens', headers: authHeaders(alice), payload: { name: 'cli', scopes: ['tenants:write'] } })
    t.equal(viaToken.statusCode, 201, viaToken.body)
    const token = viaToken.json<{ token: string }>().token
    const api = await request(`${origin}/api/x`, { headers: { authorization: `Bearer ${token}`, ...SPOOFED } })
    t.equal(api.status, 200, 'a personal API token opens the instance for non-browser clients')
    const apiEcho = JSON.parse(api.body) as Echo
    t.notOk('authorization' in apiEcho.headers, 'the token is not passed on')
    t.equal(apiEcho.headers['x-forwarded-user'], alice.email)
    t.equal(apiEcho.headers['x-forwarded-for'], '192.0.2.2')
    t.equal((await request(`${origin}/api/x`, { headers: { authorization: 'Bearer ocp_forged' } })).status, 401)
    t.equal((await request(`${origin}/api/x`)).status, 401, 'an API client without credentials gets 401, not a redirect')
  })

  await t.test('WebSocket through the router', async (t) => {
    const wsUrl = origin.replace(/^http/, 'ws') + '/ws'
    const socket = await openWebSocket(wsUrl, { cookie: `${ownerCookie}; ${alice.cookie}`, origin, ...SPOOFED })
    const hello = await nextJson<{ type: string, headers: Record<string, string> }>(socket)
    t.equal(hello.type, 'hello')
    t.equal(hello.headers['x-forwarded-user'], alice.email)
    t.equal(hello.headers['x-forwarded-for'], '192.0.2.2')
    t.notOk('x-real-ip' in hello.headers || 'forwarded' in hello.headers || 'x-openclaw-scopes' in hello.headers, 'spoofed headers removed on the upgrade too')
    t.notOk(hello.headers.cookie, 'no router or console cookie on the upgrade')
    socket.send(JSON.stringify({ ping: 1 }))
    t.same(await nextJson(socket), { ping: 1 }, 'echoed')
    t.equal(app.instanceRouter.activity(instance.id)?.openSockets, 1, 'open WebSocket counted for idle stop')
    socket.close()

    await t.rejects(openWebSocket(wsUrl, { cookie: ownerCookie, origin: 'http://mallory.localhost:1' }), /403/, 'a page of another host cannot use the cookie')
    await t.rejects(openWebSocket(wsUrl, {}), /401/, 'no credentials: refused')
  })

  await t.test('another signed-in user gets 403', async (t) => {
    const trip = await signInOnInstance(origin, bob.cookie)
    t.equal(trip.final.status, 403, 'the authorization endpoint refuses; the instance host shows its 403 page')
    const bobToken = await app.inject({ method: 'POST', url: '/api/tokens', headers: authHeaders(bob), payload: { name: 'cli', scopes: ['tenants:write'] } })
    const answer = await request(`${origin}/`, { headers: { authorization: `Bearer ${bobToken.json<{ token: string }>().token}` } })
    t.equal(answer.status, 403)
    t.equal(JSON.parse(answer.body).code, 'NOT_INSTANCE_OWNER')
    const page = await request(`${origin}/`, { headers: { ...BROWSER, authorization: `Bearer ${bob.accessToken}`, 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.5' } })
    t.equal(page.status, 403)
    t.match(page.body, /这不是您的实例/, 'in Chinese by Accept-Language')
  })

  await t.test('upstream errors: clean 502 and 504 pages without internals', async (t) => {
    const silent = net.createServer(() => undefined)
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    t.teardown(() => { silent.close() })
    const em = app.orm.em.fork()
    const record = await em.findOneOrFail(Tenant, { id: instance.id })
    const saved = record.upstream
    const setUpstream = async (upstream: string | null | undefined): Promise<void> => {
      await app.orm.em.fork().nativeUpdate(Tenant, { id: instance.id }, { upstream })
      await app.instanceRouter.table.refresh(instance.id)
    }
    await setUpstream('http://127.0.0.1:1')
    const refused = await request(`${origin}/`, { headers: { ...BROWSER, cookie: ownerCookie } })
    t.equal(refused.status, 502)
    t.match(refused.body, /not answering/)
    t.notMatch(refused.body, /127\.0\.0\.1|ECONNREFUSED/, 'no internals')
    await setUpstream(`http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`)
    const slow = await request(`${origin}/`, { headers: { cookie: ownerCookie } })
    t.equal(slow.status, 504)
    t.equal(JSON.parse(slow.body).code, 'INSTANCE_TIMEOUT')
    await setUpstream(saved)
    t.equal((await request(`${origin}/`, { headers: { cookie: ownerCookie } })).status, 200)
  })

  await t.test('a stopped instance is woken by its owner\'s visit, with a live progress page', async (t) => {
    const stopped = await app.inject({ method: 'POST', url: `/api/tenants/${instance.id}/stop`, headers: authHeaders(alice) })
    t.equal(stopped.statusCode, 202)
    await until('stopped', async () => app.instanceRouter.table.get(instance.slug)?.status === 'stopped')
    const progressPage = await request(`${origin}/chat`, { headers: { ...BROWSER, cookie: ownerCookie } })
    t.equal(progressPage.status, 503)
    t.equal(progressPage.headers['retry-after'], '5')
    t.match(progressPage.body, /Starting your instance/)
    t.match(progressPage.body, /EventSource\('\/_openclaw\/progress'\)/)
    const zh = await request(`${origin}/chat`, { headers: { ...BROWSER, cookie: ownerCookie, 'accept-language': 'zh' } })
    t.match(zh.body, /正在启动您的实例/)
    // What the page's EventSource reads: the stream ends when the instance is routable.
    const progress = await request(`${origin}/_openclaw/progress`, { headers: { accept: 'text/event-stream', cookie: ownerCookie } })
    t.equal(progress.status, 200)
    t.match(progress.body, /event: routable/)
    await until('routable in the table', async () => app.instanceRouter.table.get(instance.slug)?.upstream != null)
    const after = await request(`${origin}/chat`, { headers: { ...BROWSER, cookie: ownerCookie } })
    t.equal(after.status, 200, 'the request completes once the instance is back')
    t.equal((JSON.parse(after.body) as Echo).url, '/chat')
  })

  await t.test('deleted and missing instances have their own pages', async (t) => {
    const removed = await app.inject({ method: 'DELETE', url: `/api/tenants/${instance.id}?purge=true`, headers: authHeaders(alice) })
    t.equal(removed.statusCode, 202)
    await until('deleted in the table', async () => app.instanceRouter.table.get(instance.slug)?.desired === 'deleted')
    const gone = await request(`${origin}/`, { headers: { ...BROWSER, cookie: ownerCookie } })
    t.equal(gone.status, 410)
    t.match(gone.body, /This instance was deleted/)
    const missingOrigin = origin.replace(instance.slug, 'no-such-instance')
    const trip = await signInOnInstance(missingOrigin, alice.cookie)
    t.equal(trip.final.status, 403, 'nobody owns it: refused like someone else\'s')
  })
})
