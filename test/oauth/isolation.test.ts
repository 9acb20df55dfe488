// Sessions, refresh tokens and personal API tokens: each user sees and changes only their own,
// rotation catches a replayed refresh token, and cookie requests need the CSRF token.
import t from 'tap'
import { forEachDialect } from '../helpers/app.js'
import { authHeaders, buildAuthApp, signUp } from '../helpers/auth.js'

forEachDialect(t, "user B cannot read or change user A's sessions and tokens", async (t, dialect) => {
  const app = await buildAuthApp(t, { dialect })
  const a = await signUp(app, { email: 'a@example.com' })
  const b = await signUp(app, { email: 'b@example.com' })

  const sessionsOfA = (await app.inject({ url: '/api/sessions', headers: authHeaders(a) })).json().sessions
  t.equal(sessionsOfA.length, 1)
  t.equal(sessionsOfA[0].current, true)
  const sessionsOfB = (await app.inject({ url: '/api/sessions', headers: authHeaders(b) })).json().sessions
  t.notOk(sessionsOfB.some((session: { id: string }) => session.id === sessionsOfA[0].id), "B's list does not hold A's session")

  const created = await app.inject({ method: 'POST', url: '/api/tokens', headers: authHeaders(a), payload: { name: 'ci', scopes: ['tenants:read'], expiresInDays: 7 } })
  t.equal(created.statusCode, 201)
  const apiToken = created.json()
  t.match(apiToken.token, /^ocp_/)

  t.same((await app.inject({ url: '/api/tokens', headers: authHeaders(b) })).json().tokens, [], "B does not see A's token")
  t.equal((await app.inject({ method: 'DELETE', url: `/api/tokens/${apiToken.id as string}`, headers: authHeaders(b) })).statusCode, 404)
  t.equal((await app.inject({ method: 'DELETE', url: `/api/sessions/${sessionsOfA[0].id as string}`, headers: authHeaders(b, 'bearer') })).statusCode, 404)
  t.equal((await app.inject({ url: '/api/me', headers: authHeaders(a) })).statusCode, 200, "A's session survived B's attempt")

  const listed = (await app.inject({ url: '/api/tokens', headers: authHeaders(a, 'bearer') })).json().tokens
  t.equal(listed.length, 1)
  t.notOk('token' in listed[0], 'a token value is shown only once')

  const withToken = await app.inject({ url: '/api/me', headers: { authorization: `Bearer ${apiToken.token as string}` } })
  t.equal(withToken.statusCode, 200)
  t.same(withToken.json().scopes, ['tenants:read'], 'an API token carries only its scopes')
  t.equal((await app.inject({ url: '/api/admin/users', headers: { authorization: `Bearer ${apiToken.token as string}` } })).json().code, 'MISSING_SCOPE')

  const beyond = await app.inject({ method: 'POST', url: '/api/tokens', headers: authHeaders(a), payload: { name: 'x', scopes: ['admin'] } })
  t.match(beyond.json(), { statusCode: 400, code: 'INVALID_SCOPE', message: 'You cannot grant scope admin' })

  t.equal((await app.inject({ method: 'DELETE', url: `/api/tokens/${apiToken.id as string}`, headers: authHeaders(a) })).statusCode, 204)
  t.equal((await app.inject({ url: '/api/me', headers: { authorization: `Bearer ${apiToken.token as string}` } })).statusCode, 401, 'a revoked API token stops working')

  t.equal((await app.inject({ method: 'DELETE', url: `/api/sessions/${sessionsOfA[0].id as string}`, headers: authHeaders(a) })).statusCode, 204)
  t.equal((await app.inject({ url: '/api/me', headers: authHeaders(a) })).statusCode, 401, 'a revoked session stops working')
})

forEachDialect(t, 'refresh tokens rotate, and a replayed one revokes its family', async (t, dialect) => {
  const app = await buildAuthApp(t, { dialect })
  const a = await signUp(app)
  const token = (payload: object) => app.inject({ method: 'POST', url: '/api/auth/token', payload })

  const first = await token({ grant_type: 'password', email: a.email, password: a.password })
  t.equal(first.statusCode, 200)
  t.match(first.json(), { token_type: 'Bearer', expires_in: 600, refresh_token: /^ocr_/ })
  const me = await app.inject({ url: '/api/me', headers: { authorization: `Bearer ${first.json().access_token as string}` } })
  t.equal(me.json().email, a.email, 'the access token signs in')

  const second = await token({ grant_type: 'refresh_token', refresh_token: first.json().refresh_token })
  t.equal(second.statusCode, 200)
  t.not(second.json().refresh_token, first.json().refresh_token, 'the refresh token rotated')

  const replay = await token({ grant_type: 'refresh_token', refresh_token: first.json().refresh_token })
  t.match(replay.json(), { statusCode: 400, code: 'INVALID_GRANT' })
  const afterReuse = await token({ grant_type: 'refresh_token', refresh_token: second.json().refresh_token })
  t.equal(afterReuse.json().code, 'INVALID_GRANT', 'the whole family is revoked, including the newest token')

  const events = await app.oauth.audit.list({ limit: 10, type: 'token.reuse' })
  t.equal(events.length, 1)
  t.equal(events[0]?.userId, a.user.id)

  const cli = (await token({ grant_type: 'password', email: a.email, password: a.password })).json()
  const signOut = await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { authorization: `Bearer ${cli.access_token as string}` }, payload: { refresh_token: cli.refresh_token } })
  t.equal(signOut.statusCode, 204)
  t.equal((await token({ grant_type: 'refresh_token', refresh_token: cli.refresh_token })).json().code, 'INVALID_GRANT', 'a CLI signs out by revoking its refresh token')

  const wrong = await token({ grant_type: 'password', email: a.email, password: 'not the password' })
  t.equal(wrong.json().code, 'INVALID_CREDENTIALS')
  t.equal((await app.inject({ url: '/api/me', headers: { authorization: 'Bearer not-a-jwt' } })).statusCode, 401)
})

t.test('cookie requests that change state need the CSRF token', async (t) => {
  const app = await buildAuthApp(t)
  const a = await signUp(app)
  const create = (headers: Record<string, string>) => app.inject({ method: 'POST', url: '/api/tokens', headers, payload: { name: 'x', scopes: ['tenants:read'] } })

  const missing = await create({ cookie: a.cookie })
  t.same(missing.json(), { statusCode: 403, code: 'CSRF_INVALID', error: 'Forbidden', message: 'Missing or wrong x-csrf-token header; get one from GET /api/auth/csrf' })
  t.equal((await create({ cookie: a.cookie, 'x-csrf-token': 'forged' })).statusCode, 403)
  const other = await signUp(app)
  t.equal((await create({ cookie: a.cookie, 'x-csrf-token': other.csrfToken })).statusCode, 403, "another session's token does not fit")

  const fetched = await app.inject({ url: '/api/auth/csrf', headers: { cookie: a.cookie } })
  t.equal(fetched.json().csrfToken, a.csrfToken, 'reads need no token and can fetch it')
  t.equal((await create({ cookie: a.cookie, 'x-csrf-token': fetched.json().csrfToken })).statusCode, 201)
  t.equal((await create({ authorization: `Bearer ${a.accessToken}` })).statusCode, 201, 'Bearer requests need no CSRF token')
})

forEachDialect(t, 'deleting an account needs its password and ends every way of signing in as it', async (t, dialect) => {
  const app = await buildAuthApp(t, { dialect })
  const a = await signUp(app)
  const apiToken = (await app.inject({ method: 'POST', url: '/api/tokens', headers: authHeaders(a), payload: { name: 'x', scopes: ['devices:read'] } })).json().token as string
  const remove = (password: string) => app.inject({ method: 'DELETE', url: '/api/me', headers: authHeaders(a), payload: { password } })

  t.equal((await remove('not the password')).json().code, 'WRONG_PASSWORD')
  t.equal((await remove(a.password)).statusCode, 204)
  t.equal((await app.inject({ url: '/api/me', headers: authHeaders(a) })).statusCode, 401, 'the session is gone')
  t.equal((await app.inject({ url: '/api/me', headers: authHeaders(a, 'bearer') })).statusCode, 401, 'the access token is refused')
  t.equal((await app.inject({ url: '/api/me', headers: { authorization: `Bearer ${apiToken}` } })).statusCode, 401, 'the API token is gone')
  t.equal((await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: a.email, password: a.password } })).statusCode, 401)
})

forEachDialect(t, 'expired credentials and idle sign-in counters are swept away', async (t, dialect) => {
  const app = await buildAuthApp(t, { dialect })
  const a = await signUp(app)
  await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'stranger@example.com', password: 'some guess 123' } })
  await app.inject({ method: 'POST', url: '/api/auth/password/forgot', payload: { email: a.email } })

  t.equal(await app.oauth.sweeper.sweep(), 0, 'nothing live is deleted')
  t.equal((await app.inject({ url: '/api/me', headers: authHeaders(a) })).statusCode, 200)
  const later = new Date(Date.now() + 366 * 24 * 60 * 60 * 1000)
  t.equal(await app.oauth.sweeper.sweep(later), 5, 'a year on: the session, the refresh token, the reset and setup links, the counter')
})
