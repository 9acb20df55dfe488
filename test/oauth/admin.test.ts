// Roles and admin: the requireUser contract on a route of another plugin, admin-only areas,
// role changes, the audit trail, the first admin's setup link and ADMIN_EMAILS.
import fp from 'fastify-plugin'
import { Writable } from 'node:stream'
import pino from 'pino'
import t from 'tap'
import { loggerOptions } from '../../server/logger.js'
import type { ServerPlugin } from '../../server/plugins.js'
import { forEachDialect } from '../helpers/app.js'
import { authHeaders, buildAuthApp, signUp } from '../helpers/auth.js'

/** A plugin of someone else, declaring what its routes need. */
const instancesLike: ServerPlugin = {
  description: 'test plugin using the oauth contract',
  plugin: fp(async (app) => {
    app.post('/api/test/instances', { onRequest: app.requireUser({ scopes: ['tenants:write'], verifiedEmail: true }) }, async (request) => ({ owner: request.user?.id }))
    app.post('/api/test/labels', { onRequest: app.requireUser({ scopes: ['factory:register'] }) }, async () => ({ ok: true }))
  }, { name: 'instances-like', dependencies: ['oauth'] })
}

forEachDialect(t, 'an admin lists users and changes roles; others cannot', async (t, dialect) => {
  const app = await buildAuthApp(t, { dialect, installed: [instancesLike] })
  const admin = await signUp(app, { email: 'admin@example.com', roles: ['user', 'admin'] })
  const alice = await signUp(app, { email: 'alice@example.com' })

  for (const url of ['/api/admin/users', '/api/admin/audit', '/api/admin/plugins']) {
    t.same((await app.inject({ url, headers: authHeaders(alice) })).json(), { statusCode: 403, code: 'MISSING_SCOPE', error: 'Forbidden', message: 'Missing scope admin for this route' }, `${url} is admin-only`)
    t.equal((await app.inject({ url })).json().code, 'UNAUTHENTICATED', `${url} needs a signed-in user`)
    t.equal((await app.inject({ url, headers: authHeaders(admin, 'bearer') })).statusCode, 200, `${url} answers an admin`)
  }

  const users = (await app.inject({ url: '/api/admin/users', headers: authHeaders(admin) })).json()
  t.equal(users.total, 2)
  t.same(users.users.map((user: { email: string }) => user.email), ['admin@example.com', 'alice@example.com'])

  t.equal((await app.inject({ method: 'POST', url: '/api/test/labels', headers: authHeaders(alice) })).json().message, 'Missing scope factory:register for this route')
  const promote = await app.inject({ method: 'PATCH', url: `/api/admin/users/${alice.user.id}`, headers: authHeaders(admin), payload: { roles: ['user', 'factory'] } })
  t.equal(promote.statusCode, 200)
  t.same(promote.json().roles, ['factory', 'user'])
  t.equal((await app.inject({ method: 'POST', url: '/api/test/labels', headers: authHeaders(alice) })).statusCode, 200, 'the new role counts at once')

  t.equal((await app.inject({ method: 'PATCH', url: `/api/admin/users/${admin.user.id}`, headers: authHeaders(alice), payload: { roles: ['user'] } })).statusCode, 403, 'a user cannot change roles')
  t.equal((await app.inject({ method: 'PATCH', url: `/api/admin/users/${alice.user.id}`, headers: authHeaders(admin), payload: { roles: ['root'] } })).json().code, 'VALIDATION_FAILED')

  const audit = (await app.inject({ url: '/api/admin/audit?type=role.change', headers: authHeaders(admin) })).json().events
  t.match(audit, [{ type: 'role.change', userId: alice.user.id, actorId: admin.user.id, details: { before: ['user'], after: ['factory', 'user'] } }])
})

t.test('routes that need a verified email answer unverified users with a clear 403', async (t) => {
  const app = await buildAuthApp(t, { installed: [instancesLike], config: { requireEmailVerification: true } })
  const unverified = await signUp(app, { verified: false })
  const verified = await signUp(app)
  const create = (who: typeof verified) => app.inject({ method: 'POST', url: '/api/test/instances', headers: authHeaders(who) })
  t.same((await create(unverified)).json(), { statusCode: 403, code: 'EMAIL_NOT_VERIFIED', error: 'Forbidden', message: 'Verify your email address first; POST /api/auth/verify-email/resend sends a new link' })
  t.same((await create(verified)).json(), { owner: verified.user.id })
  t.equal((await app.inject({ url: '/api/me', headers: authHeaders(unverified) })).statusCode, 200, 'unverified users can still sign in')

  const relaxed = await buildAuthApp(t, { installed: [instancesLike] })
  const other = await signUp(relaxed, { verified: false })
  t.equal((await relaxed.inject({ method: 'POST', url: '/api/test/instances', headers: authHeaders(other) })).statusCode, 200, 'without SMTP, verification is off by default')
})

t.test('the first admin: a setup link in the log, usable once; secrets stay out of the log', async (t) => {
  const lines: string[] = []
  const logger = pino(loggerOptions('info'), new Writable({ write (chunk, _encoding, done) { lines.push(String(chunk)); done() } }))
  const app = await buildAuthApp(t, { logger, config: { adminEmails: ['boss@example.com'] } })
  await app.ready()

  const setupLines = lines.filter((line) => line.includes('/setup?token='))
  t.equal(setupLines.length, 1, 'one setup link is logged')
  const token = /setup\?token=([^"\s]+)/.exec(setupLines[0]!)![1]!
  t.equal(JSON.parse(setupLines[0]!).level, 30, 'at info')
  t.same((await app.inject('/api/setup')).json(), { needed: true })

  const setup = (payload: object) => app.inject({ method: 'POST', url: '/api/setup/admin', payload })
  t.equal((await setup({ token: 'oco_guess', email: 'root@example.com', password: 'a long admin password' })).json().code, 'INVALID_TOKEN')
  const created = await setup({ token, email: 'root@example.com', password: 'a long admin password' })
  t.equal(created.statusCode, 201)
  t.match(created.json(), { email: 'root@example.com', roles: ['admin', 'user'], emailVerified: true })
  t.equal((await setup({ token, email: 'other@example.com', password: 'a long admin password' })).json().code, 'SETUP_DONE', 'setup works once')
  t.same((await app.inject('/api/setup')).json(), { needed: false })

  // Without SMTP, verification is off: ADMIN_EMAILS make an admin at registration.
  const registered = await app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: 'boss@example.com', password: 'chief executive pw' } })
  t.equal(registered.json().mail, 'not-configured', 'the answer says mail is not configured')
  const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'boss@example.com', password: 'chief executive pw' } })
  t.same(login.json().user.roles, ['admin', 'user'])
  const tokens = await app.inject({ method: 'POST', url: '/api/auth/token', payload: { grant_type: 'password', email: 'boss@example.com', password: 'chief executive pw' } })
  const apiToken = await app.inject({ method: 'POST', url: '/api/tokens', headers: { authorization: `Bearer ${tokens.json().access_token as string}` }, payload: { name: 'ci', scopes: ['admin'] } })

  const log = lines.join('')
  t.match(log, /verify-email\?token=oco_[^"]+","msg":"mail is not configured/, 'the verification link is logged when mail is not configured')
  const secrets = {
    'admin password': 'a long admin password',
    'user password': 'chief executive pw',
    'session cookie': login.cookies[0]!.value,
    'CSRF token': login.json().csrfToken,
    'access token': tokens.json().access_token,
    'refresh token': tokens.json().refresh_token,
    'API token': apiToken.json().token,
    'signing key': (app.oauth.keys.signing.privateKey.export({ format: 'jwk' }) as { d: string }).d
  }
  for (const [what, secret] of Object.entries(secrets)) t.notMatch(log, secret, `the ${what} is not logged`)
})
