// The router's pieces: host matching, header rewriting, the one-time PKCE codes (in the database),
// signed host cookies, return paths and the page language.
import t from 'tap'
import { createLocalAuthorizer, newPkceVerifier, pkceChallenge } from '../../plugins/routing/authorizer.js'
import { clientAddress } from '../../plugins/routing/client-address.js'
import { rewriteRequestHeaders } from '../../plugins/routing/forwarded-headers.js'
import { createHostCookies } from '../../plugins/routing/host-session.js'
import { slugMatcher } from '../../plugins/routing/hosts.js'
import { pickLanguage } from '../../plugins/routing/pages.js'
import { safeReturnPath } from '../../plugins/routing/tenant-host.js'
import { OneTimeToken } from '../../plugins/oauth/entities.js'
import { hashToken } from '../../plugins/oauth/secrets.js'
import { buildAuthApp, signUp } from '../helpers/auth.js'

t.test('instance hosts', async (t) => {
  const slugOf = slugMatcher({ appsDomain: 'apps.example.com' })
  t.equal(slugOf('alice.apps.example.com'), 'alice')
  t.equal(slugOf('Alice.Apps.Example.com:8443'), 'alice')
  t.equal(slugOf('apps.example.com'), null, 'the apps domain itself is not an instance')
  t.equal(slugOf('a.b.apps.example.com'), null, 'one label only')
  t.equal(slugOf('alice.apps.example.com.evil.net'), null)
  t.equal(slugOf('cloud.example.com'), null)
  t.equal(slugOf('[::1]:3000'), null)
  t.equal(slugOf(undefined), null)
  t.equal(slugMatcher({ appsDomain: 'localhost' })('tenant-ab12.localhost:3000'), 'tenant-ab12')
})

t.test('upstream headers: identity overwritten, hop-by-hop and our credentials removed', async (t) => {
  const headers: Record<string, string | undefined> = {
    host: 'alice.apps.example.com',
    'x-forwarded-user': 'mallory',
    'x-forwarded-for': '6.6.6.6, 10.0.0.1',
    forwarded: 'for=6.6.6.6',
    'x-openclaw-scopes': 'operator.admin',
    connection: 'keep-alive, x-secret',
    'x-secret': '1',
    'keep-alive': 'timeout=5',
    te: 'trailers',
    authorization: 'Bearer ocp_x',
    cookie: 'oc_instance=abc; theme=dark; oc_session=zzz',
    accept: 'text/html'
  }
  rewriteRequestHeaders(headers, { user: 'alice@example.com', clientAddress: '203.0.113.5', proto: 'https', host: 'alice.apps.example.com', ownCookies: new Set(['oc_instance', 'oc_session']), dropAuthorization: true, upgrade: false })
  t.same(headers, {
    host: 'alice.apps.example.com',
    accept: 'text/html',
    cookie: 'theme=dark',
    'x-forwarded-user': 'alice@example.com',
    'x-forwarded-for': '203.0.113.5',
    'x-forwarded-proto': 'https',
    'x-forwarded-host': 'alice.apps.example.com'
  })
  const upgrade: Record<string, string | undefined> = { connection: 'Upgrade', upgrade: 'websocket', cookie: 'oc_instance=abc' }
  rewriteRequestHeaders(upgrade, { user: 'a', clientAddress: '203.0.113.5', proto: 'http', host: 'h', ownCookies: new Set(['oc_instance']), dropAuthorization: false, upgrade: true })
  t.equal(upgrade.upgrade, 'websocket', 'an upgrade keeps Upgrade')
  t.equal(upgrade.connection, 'upgrade')
  t.notOk('cookie' in upgrade)
})

t.test('client address: loopback is reported as a documentation address', async (t) => {
  t.equal(clientAddress('127.0.0.1'), '192.0.2.2')
  t.equal(clientAddress('::1'), '192.0.2.2')
  t.equal(clientAddress('::ffff:127.0.0.1'), '192.0.2.2')
  t.equal(clientAddress('::ffff:203.0.113.9'), '203.0.113.9')
  t.equal(clientAddress('2001:db8::1'), '2001:db8::1')
})

t.test('one-time codes bound to client, redirect URI and PKCE verifier, stored hashed', async (t) => {
  const app = await buildAuthApp(t)
  const { user } = await signUp(app)
  const authorizer = createLocalAuthorizer({ consoleOrigin: 'https://cloud.example.com', orm: app.orm })
  const verifier = newPkceVerifier()
  const request = { clientId: 'https://alice.apps.example.com', redirectUri: 'https://alice.apps.example.com/_openclaw/callback', state: 'state-123', codeChallenge: pkceChallenge(verifier) }
  t.match(authorizer.authorizationUrl(request), /^https:\/\/cloud\.example\.com\/api\/routing\/authorize\?response_type=code&client_id=https%3A%2F%2Falice/)
  const exchange = { clientId: request.clientId, redirectUri: request.redirectUri, codeVerifier: verifier }
  const grant = { userId: user.id }
  const code = await authorizer.issueCode(request, grant)
  const stored = await app.orm.em.fork().findOneOrFail(OneTimeToken, { purpose: 'instance-sign-in' })
  t.equal(stored.tokenHash, hashToken(code), 'only the code\'s hash is stored')
  t.not(stored.binding, null)
  t.same(await authorizer.redeem({ ...exchange, code }), grant)
  t.equal(await authorizer.redeem({ ...exchange, code }), null, 'used once')
  const wrongVerifier = await authorizer.issueCode(request, grant)
  t.equal(await authorizer.redeem({ ...exchange, code: wrongVerifier, codeVerifier: newPkceVerifier() }), null, 'wrong verifier')
  t.equal(await authorizer.redeem({ ...exchange, code: wrongVerifier }), null, 'a failed attempt used the code up')
  t.equal(await authorizer.redeem({ ...exchange, code: await authorizer.issueCode(request, grant), clientId: 'https://bob.apps.example.com' }), null, 'another host')
  t.equal(await authorizer.redeem({ ...exchange, code: await authorizer.issueCode(request, grant), redirectUri: 'https://alice.apps.example.com/elsewhere' }), null, 'another redirect URI')
  t.equal(await authorizer.redeem({ ...exchange, code: '' }), null, 'no code')
  const expiring = createLocalAuthorizer({ consoleOrigin: 'https://cloud.example.com', orm: app.orm, codeTtlMs: -1 })
  t.equal(await expiring.redeem({ ...exchange, code: await expiring.issueCode(request, grant) }), null, 'expired')
})

t.test('host cookies: signed, bound to their host, expiring', async (t) => {
  const cookies = createHostCookies({ secret: Buffer.alloc(32, 7), secure: true })
  t.equal(cookies.sessionName, '__Host-oc_instance')
  const value = cookies.sign({ host: 'alice', userId: 'u1', expiresAt: Date.now() + 60_000 })
  t.match(cookies.readSession(value, 'alice'), { userId: 'u1' })
  t.equal(cookies.readSession(value, 'bob'), null, 'not valid on another host')
  t.equal(cookies.readSession(value.slice(0, -2) + 'xx', 'alice'), null, 'forged')
  t.equal(cookies.readSession(cookies.sign({ host: 'alice', userId: 'u1', expiresAt: Date.now() - 1 }), 'alice'), null, 'expired')
  const other = createHostCookies({ secret: Buffer.alloc(32, 8), secure: true })
  t.equal(other.readSession(value, 'alice'), null, 'another server key')
  // Checked sessions are remembered; their expiry still counts on every read.
  const shortLived = cookies.sign({ host: 'alice', userId: 'u1', expiresAt: Date.now() + 100 })
  t.match(cookies.readSession(shortLived, 'alice'), { userId: 'u1' }, 'valid while it lasts')
  await new Promise((resolve) => setTimeout(resolve, 150))
  t.equal(cookies.readSession(shortLived, 'alice'), null, 'a remembered session that expired is refused')
  t.match(cookies.setCookie(cookies.sessionName, value, 60), /^__Host-oc_instance=.*; Max-Age=60; Path=\/; HttpOnly; Secure; SameSite=Lax$/)
})

t.test('return paths stay on the instance', async (t) => {
  t.equal(safeReturnPath('/chat?x=1'), '/chat?x=1')
  t.equal(safeReturnPath('//evil.example/x'), '/')
  t.equal(safeReturnPath('/\\evil.example'), '/')
  t.equal(safeReturnPath('http://evil.example/'), '/')
  t.equal(safeReturnPath('/a\nb'), '/')
})

t.test('page language from Accept-Language', async (t) => {
  t.equal(pickLanguage(undefined), 'en')
  t.equal(pickLanguage('zh-CN,zh;q=0.9,en;q=0.8'), 'zh')
  t.equal(pickLanguage('en-US,zh;q=0.5'), 'en')
  t.equal(pickLanguage('fr, zh-TW;q=0.7, en;q=0.3'), 'zh')
  t.equal(pickLanguage('de'), 'en')
})
