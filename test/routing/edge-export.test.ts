// The production edge export: who may read the Traefik and nginx exports, that they follow the
// instances as they are created and deleted, that the Traefik document has the shape Traefik reads
// (TypeBox schema of the subset used; the traefik binary is not packaged for Debian, so Traefik itself
// does not run here), and that single sign-on still holds behind an edge: the forward-auth endpoint
// as Traefik calls it, and a real nginx (Debian's nginx-light) with deploy/nginx/edge's locations.
import { execFile, spawn } from 'node:child_process'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import Value from 'typebox/value'
import { parse } from 'yaml'
import { TRAEFIK_NAMES } from '../../plugins/routing/edge-export.js'
import { TraefikDynamicConfig } from '../../plugins/routing/traefik-schema.js'
import { packageInfo } from '../../server/package-info.js'
import { tempDir } from '../helpers/app.js'
import { authHeaders, signUp } from '../helpers/auth.js'
import { docker as dockerEngine, dockerImage, requireComponents, type Component } from '../helpers/components.js'
import { cookieHeader, cookiesOf, freePort, request } from '../helpers/local-hosts.js'
import { BROWSER, buildRouterApp, createInstance, removeTenantResources, signInOnInstance } from '../helpers/routing.js'
import { until } from '../helpers/wait.js'

const STANDIN = 'openclaw-cloud/standin:latest'
const EDGE_TOKEN = `edge-${'k'.repeat(40)}`
const run = promisify(execFile)

const nginx: Component = {
  name: 'nginx (Debian nginx-light)',
  probe: async () => { await run('nginx', ['-v'], { timeout: 10_000 }) }
}

interface Echo { url: string, headers: Record<string, string> }

t.test('the edge export and forward-auth with stand-in instances', async (t) => {
  if (!(await requireComponents(t, dockerEngine, dockerImage(STANDIN)))) return
  const cleanup: string[] = []
  t.teardown(async () => { for (const id of cleanup) await removeTenantResources(id) })
  const app = await buildRouterApp(t, { tenantImage: STANDIN, tenantPlans: { free: { memory: 128 * 1024 ** 2 } }, reconcileInterval: 1000, edgeToken: EDGE_TOKEN })
  const admin = await signUp(app, { roles: ['admin'] })
  const alice = await signUp(app)
  const bob = await signUp(app)
  const traefik = async (): Promise<TraefikDynamicConfig> => (await app.inject({ url: '/api/routing/traefik', headers: { authorization: `Bearer ${EDGE_TOKEN}` } })).json()
  const nginxMap = async (): Promise<string> => (await app.inject({ url: '/api/routing/nginx', headers: { authorization: `Bearer ${EDGE_TOKEN}` } })).body

  await t.test('only an admin or the edge token reads the exports', async (t) => {
    for (const url of ['/api/routing/traefik', '/api/routing/nginx']) {
      const anonymous = await app.inject({ url })
      t.equal(anonymous.statusCode, 401, `${url}: anonymous`)
      t.equal(anonymous.json().code, 'UNAUTHENTICATED')
      const user = await app.inject({ url, headers: authHeaders(alice) })
      t.equal(user.statusCode, 403, `${url}: a user`)
      t.equal(user.json().code, 'MISSING_SCOPE')
      t.equal((await app.inject({ url, headers: authHeaders(admin) })).statusCode, 200, `${url}: an admin (console session)`)
      t.equal((await app.inject({ url, headers: authHeaders(admin, 'bearer') })).statusCode, 200, `${url}: an admin (access token)`)
      t.equal((await app.inject({ url, headers: { authorization: `Bearer ${EDGE_TOKEN}` } })).statusCode, 200, `${url}: the edge token`)
      const wrong = await app.inject({ url, headers: { authorization: `Bearer ${EDGE_TOKEN.slice(0, -1)}x` } })
      t.equal(wrong.statusCode, 401, `${url}: a wrong token`)
      t.notMatch(wrong.body, /openclaw-instance|map \$host/, 'nothing of the table leaks')
    }
  })

  const before = await traefik()
  t.ok(Value.Check(TraefikDynamicConfig, before), [...Value.Errors(TraefikDynamicConfig, before)].map((error) => `${error.instancePath} ${error.message}`).join('; '))
  t.same(Object.keys(before.http.routers), [TRAEFIK_NAMES.router], 'no instance yet: only the catch-all to the router')
  t.equal(before.http.routers[TRAEFIK_NAMES.router]!.rule, 'HostRegexp(`^[a-z0-9-]+\\.localhost$`)')
  t.same(before.http.services[TRAEFIK_NAMES.router], { loadBalancer: { servers: [{ url: app.config.publicUrl }], passHostHeader: true } })
  t.notMatch(await nginxMap(), /localhost /, 'no instance in the nginx map')

  const instance = await createInstance(app, alice, 'free', cleanup)
  t.equal(instance.events.at(-1), 'routable', instance.events.join(' '))
  const host = new URL(instance.url).hostname
  const upstream = await until('the route', () => app.instanceRouter.table.get(instance.slug)?.upstream)

  await t.test('a running instance is in both exports', async (t) => {
    const config = await traefik()
    t.ok(Value.Check(TraefikDynamicConfig, config), [...Value.Errors(TraefikDynamicConfig, config)].map((error) => `${error.instancePath} ${error.message}`).join('; '))
    const name = TRAEFIK_NAMES.instance(instance.slug)
    t.same(config.http.routers[name], { rule: `Host(\`${host}\`)`, service: name, middlewares: [TRAEFIK_NAMES.stripIdentity, TRAEFIK_NAMES.sso], priority: 1000 })
    t.same(config.http.services[name], { loadBalancer: { servers: [{ url: upstream }], passHostHeader: true } })
    t.same(config.http.middlewares[TRAEFIK_NAMES.sso], { forwardAuth: { address: `${app.config.publicUrl}/api/routing/forward-auth`, trustForwardHeader: false, authResponseHeaders: ['x-forwarded-user'] } })
    const strip = config.http.middlewares[TRAEFIK_NAMES.stripIdentity] as { headers: { customRequestHeaders: Record<string, string> } }
    for (const header of ['x-forwarded-user', 'x-remote-user', 'forwarded']) t.equal(strip.headers.customRequestHeaders[header], '', `${header} is removed`)
    // The exported upstream is the instance itself.
    const direct = await request(`${upstream}/echo`)
    t.equal(direct.status, 200)
    t.match(await nginxMap(), new RegExp(`^    ${host.replace(/\./g, '\\.')} ${new URL(upstream).host};$`, 'm'))
  })

  // Forward-auth as Traefik calls it: the client's headers, plus X-Forwarded-Host/-Uri/-Method.
  const forwardAuth = async (headers: Record<string, string>, query = ''): Promise<ReturnType<typeof app.inject>> =>
    await app.inject({ url: `/api/routing/forward-auth${query}`, headers: { 'x-forwarded-host': host, 'x-forwarded-method': 'GET', ...headers } })

  await t.test('forward-auth: single sign-on round trip as Traefik would relay it', async (t) => {
    const start = await forwardAuth({ ...BROWSER, 'x-forwarded-uri': '/chat?x=1' })
    t.equal(start.statusCode, 302, 'a signed-out browser is sent to sign in')
    const authorize = new URL(start.headers.location as string)
    t.equal(`${authorize.origin}${authorize.pathname}`, `${app.config.publicUrl}/api/routing/authorize`)
    t.equal(authorize.searchParams.get('client_id'), instance.url)
    const pending = cookieHeader(cookiesOf({ status: 302, headers: { 'set-cookie': start.headers['set-cookie'] as string[] }, body: '' }))

    const code = await request(authorize.toString(), { headers: { ...BROWSER, cookie: alice.cookie } })
    t.equal(code.status, 302)
    const callback = new URL(code.headers.location!)
    t.equal(`${callback.origin}${callback.pathname}`, `${instance.url}/_openclaw/callback`)
    const back = await forwardAuth({ ...BROWSER, cookie: pending, 'x-forwarded-uri': `${callback.pathname}${callback.search}` })
    t.equal(back.statusCode, 302, 'the callback is answered by forward-auth, on the instance host')
    t.equal(back.headers.location, '/chat?x=1')
    const session = cookiesOf({ status: 302, headers: { 'set-cookie': back.headers['set-cookie'] as string[] }, body: '' })
    t.ok(Object.keys(session).some((name) => name.endsWith('oc_instance')), 'the host session cookie')

    const passed = await forwardAuth({ ...BROWSER, cookie: cookieHeader(session), 'x-forwarded-uri': '/chat?x=1' })
    t.equal(passed.statusCode, 200, 'the owner passes')
    t.equal(passed.headers['x-forwarded-user'], alice.email, 'Traefik copies this header upstream (authResponseHeaders)')
    t.equal(passed.body, '')
    t.equal((await forwardAuth({ ...BROWSER, cookie: cookieHeader(session), 'x-forwarded-uri': '/chat', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', origin: 'http://other.localhost' })).statusCode, 403, 'a WebSocket from another origin is refused')
  })

  await t.test('forward-auth: others are refused, nginx\'s status mode answers only 200 or 401', async (t) => {
    const bobs = await forwardAuth({ authorization: `Bearer ${bob.accessToken}`, 'x-forwarded-uri': '/' })
    t.equal(bobs.statusCode, 403, 'another user\'s token')
    t.equal(bobs.json().code, 'NOT_INSTANCE_OWNER')
    const alices = await forwardAuth({ authorization: `Bearer ${alice.accessToken}`, 'x-forwarded-uri': '/' })
    t.equal(alices.statusCode, 200)
    t.equal(alices.headers['x-forwarded-user'], alice.email)
    t.equal((await forwardAuth({ ...BROWSER, 'x-forwarded-uri': '/' }, '?mode=status')).statusCode, 401, 'signed out')
    t.equal((await forwardAuth({ authorization: `Bearer ${bob.accessToken}` }, '?mode=status')).statusCode, 401, 'not the owner')
    t.equal((await forwardAuth({ authorization: `Bearer ${alice.accessToken}` }, '?mode=status')).statusCode, 200, 'the owner')
    t.equal((await forwardAuth({ 'x-forwarded-uri': '/_openclaw/callback?code=x&state=y' }, '?mode=status')).statusCode, 401, 'the callback is left to the router')

    const foreign = await app.inject({ url: '/api/routing/forward-auth', headers: { 'x-forwarded-host': 'evil.example' } })
    t.equal(foreign.statusCode, 400)
    t.match(foreign.json(), { code: 'EDGE_HOST_INVALID', message: /evil\.example.*localhost/ })
    const missing = await app.inject({ url: '/api/routing/forward-auth' })
    t.equal(missing.statusCode, 400)
    t.match(missing.json().message, /x-forwarded-host/)
  })

  await t.test('a real nginx with the example locations: SSO through the router, then straight to the instance', async (t) => {
    if (!(await requireComponents(t, nginx))) return
    const dir = await tempDir(t, 'openclaw-edge-nginx-')
    await chmod(dir, 0o755)
    for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) await mkdir(path.join(dir, sub))
    await writeFile(path.join(dir, 'instances.map'), await nginxMap())
    const port = await freePort()
    await writeFile(path.join(dir, 'nginx.conf'), `daemon off; worker_processes 1; pid ${dir}/nginx.pid; error_log stderr error; user root;
events { worker_connections 256; }
http {
  access_log off; client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream openclaw_router { server 127.0.0.1:${app.config.port}; }
  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
  include ${dir}/instances.map;
  server { listen 127.0.0.1:${port}; server_name *.localhost; include ${path.join(packageInfo.root, 'deploy/nginx/edge/instance-locations.conf')}; }
}
`)
    await run('nginx', ['-t', '-q', '-c', path.join(dir, 'nginx.conf'), '-e', 'stderr'])
    const child = spawn('nginx', ['-c', path.join(dir, 'nginx.conf'), '-e', 'stderr'], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    t.teardown(() => { child.kill('SIGQUIT') })
    const edge = `http://${host}:${port}`
    await until('nginx to listen', async () => await request(`${edge}/`).then(() => true, () => false), 15_000)

    const signIn = await request(`${edge}/chat`, { headers: BROWSER })
    t.equal(signIn.status, 302, `signed out: the router's redirect to sign in ${stderr}`)
    t.match(signIn.headers.location, /\/api\/routing\/authorize\?/)

    const { jar } = await signInOnInstance(instance.url, alice.cookie)
    const through = await request(`${edge}/echo`, { headers: { cookie: cookieHeader(jar), 'x-remote-user': 'mallory', 'x-forwarded-user': 'mallory@example.com', 'x-forwarded-for': '6.6.6.6' } })
    t.equal(through.status, 200, through.body)
    const echo = JSON.parse(through.body) as Echo
    t.equal(echo.url, '/echo')
    t.equal(echo.headers['x-forwarded-user'], alice.email, 'the owner, as forward-auth vouched')
    t.equal(echo.headers['x-forwarded-for'], '127.0.0.1', 'the client\'s address, never its claim')
    t.notOk('x-remote-user' in echo.headers, 'a client identity header never arrives')
    t.equal(echo.headers.host, host, 'straight from nginx (its $host has no port; the router would pass the port on)')

    const bobs = await request(`${edge}/echo`, { headers: { authorization: `Bearer ${bob.accessToken}`, accept: 'text/html' } })
    t.equal(bobs.status, 403, 'another user gets the router\'s 403 page')
    t.match(bobs.body, /Not your instance/)
  })

  await t.test('a deleted instance leaves both exports', async (t) => {
    const deleted = await app.inject({ method: 'DELETE', url: `/api/tenants/${instance.id}`, headers: authHeaders(alice) })
    t.equal(deleted.statusCode, 202, deleted.body)
    await until('the Traefik export to drop it', async () => !(TRAEFIK_NAMES.instance(instance.slug) in (await traefik()).http.routers), 30_000)
    t.notOk(TRAEFIK_NAMES.instance(instance.slug) in (await traefik()).http.services)
    t.notMatch(await nginxMap(), host)
  })
})

t.test('the example Traefik configuration reads the export and routes the console', async (t) => {
  const read = async (file: string): Promise<unknown> => parse(await readFile(path.join(packageInfo.root, 'deploy/traefik', file), 'utf8'))
  const main = await read('traefik.yml') as { providers: { http: { endpoint: string, headers: Record<string, string> }, file: { directory: string } } }
  t.match(new URL(main.providers.http.endpoint).pathname, '/api/routing/traefik', 'the HTTP provider polls the export')
  t.match(main.providers.http.headers.Authorization, /^Bearer /, 'with the edge token')
  const dynamic = await read('dynamic/console.yml') as { http: Pick<TraefikDynamicConfig['http'], 'routers' | 'services'> }
  // The file has no middlewares (the export brings them); the schema wants the key.
  const routing = { http: { ...dynamic.http, middlewares: {} } }
  t.ok(Value.Check(TraefikDynamicConfig, routing), [...Value.Errors(TraefikDynamicConfig, routing)].map((error) => `${error.instancePath} ${error.message}`).join('; '))
  t.match(dynamic.http.routers.console!.rule, /^Host\(`[^`]+`\)$/)
  const script = path.join(packageInfo.root, 'deploy/nginx/edge/refresh-map.sh')
  await t.resolves(run('sh', ['-n', script]), 'refresh-map.sh parses')
  t.notMatch(await readFile(script, 'utf8'), /curl[^\n]*\$EDGE_TOKEN/, 'the token is never on curl\'s command line')
})
