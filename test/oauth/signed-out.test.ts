// What the console meets around signing in and out: asking who is signed in without being signed in
// (a clean answer, no error), and signing out with no body at all (still CSRF-protected).
import t from 'tap'
import { sessionCookie } from '../../plugins/oauth/authenticate.js'
import { authHeaders, buildAuthApp, signUp } from '../helpers/auth.js'

t.test('GET /api/me answers null to a visitor without a credential, 401 to a credential that stopped working', async (t) => {
  const app = await buildAuthApp(t)
  const alice = await signUp(app)

  const visitor = await app.inject({ method: 'GET', url: '/api/me' })
  t.equal(visitor.statusCode, 200, 'no error for someone who simply is not signed in')
  t.equal(visitor.body, 'null')

  const signedIn = await app.inject({ method: 'GET', url: '/api/me', headers: authHeaders(alice) })
  t.equal(signedIn.statusCode, 200)
  t.match(signedIn.json(), { email: alice.email, requireEmailVerification: false })

  await app.inject({ method: 'POST', url: '/api/auth/logout', headers: authHeaders(alice) })
  const stale = await app.inject({ method: 'GET', url: '/api/me', headers: { cookie: alice.cookie } })
  t.equal(stale.statusCode, 401, 'an ended session is told so')
  const cleared = stale.cookies.find((cookie) => cookie.name === sessionCookie(app.config).name)
  t.equal(cleared?.value, '', 'and its cookie is cleared, so the next visit is a plain visitor')

  const badToken = await app.inject({ method: 'GET', url: '/api/me', headers: { authorization: 'Bearer not-a-token' } })
  t.equal(badToken.statusCode, 401, 'an API client with a wrong token gets 401, not null')
})

t.test('POST /api/auth/logout works without a body and still needs the CSRF token', async (t) => {
  const app = await buildAuthApp(t)
  const alice = await signUp(app)

  const forged = await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: alice.cookie } })
  t.equal(forged.statusCode, 403, 'another site cannot sign the user out')
  t.equal(forged.json().code, 'CSRF_INVALID')
  t.equal((await app.inject({ method: 'GET', url: '/api/me', headers: authHeaders(alice) })).statusCode, 200, 'the session survived')

  const signOut = await app.inject({ method: 'POST', url: '/api/auth/logout', headers: authHeaders(alice) })
  t.equal(signOut.statusCode, 204, signOut.body)
  t.equal((await app.inject({ method: 'GET', url: '/api/sessions', headers: authHeaders(alice) })).statusCode, 401, 'the session ended')

  const unknownField = await app.inject({ method: 'POST', url: '/api/auth/logout', payload: { everywhere: true } })
  t.equal(unknownField.statusCode, 400, 'a body, when sent, is still validated')
  t.match(unknownField.json().message, /additional properties|everywhere/)
})
