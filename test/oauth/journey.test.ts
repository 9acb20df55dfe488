// A user's whole local-account journey over HTTP, with real mail: register, verify, sign in,
// forget the password, reset it from the mailed link, sign in with the new one, sign out.
import t from 'tap'
import { buildAuthApp, cookieFrom } from '../helpers/auth.js'
import { forEachDialect } from '../helpers/app.js'
import { startMailServer, tokenIn } from './mail.js'

forEachDialect(t, 'register, verify, sign in, reset a forgotten password, sign out', async (t, dialect) => {
  const mail = await startMailServer(t)
  const app = await buildAuthApp(t, { dialect, config: { smtpUrl: mail.url, publicUrl: 'https://cloud.example.com' } })
  const email = 'ada@example.com'
  const post = (url: string, payload: object, headers: Record<string, string> = {}) => app.inject({ method: 'POST', url, payload, headers })

  const weak = await post('/api/auth/register', { email, password: 'ada-lovelace-1815' })
  t.equal(weak.statusCode, 400)
  t.match(weak.json(), { code: 'WEAK_PASSWORD', message: /contains your email name/ })

  const registered = await post('/api/auth/register', { email, password: 'analytical engine' })
  t.equal(registered.statusCode, 202)
  t.equal(registered.json().mail, 'sent')
  const verification = await mail.next(email)
  t.match(verification.subject, 'Confirm your email')
  t.match(verification.text, 'https://cloud.example.com/verify-email?token=')

  const signIn = await post('/api/auth/login', { email, password: 'analytical engine', returnTo: '/instances' })
  t.equal(signIn.statusCode, 200, 'an unverified user can sign in')
  t.equal(signIn.json().returnTo, 'https://cloud.example.com/instances')
  const setCookie = signIn.cookies.find((cookie) => cookie.name === '__Host-oc_session')
  t.match(setCookie, { httpOnly: true, sameSite: 'Lax', secure: true, path: '/' }, 'session cookie is httpOnly, Lax and Secure over https')
  let cookie = cookieFrom(app, signIn)
  let csrf = signIn.json().csrfToken as string
  t.match((await app.inject({ url: '/api/me', headers: { cookie } })).json(), { email, emailVerified: false, requireEmailVerification: true })

  const verified = await post('/api/auth/verify-email', { token: tokenIn(verification) })
  t.equal(verified.statusCode, 200)
  t.equal(verified.json().emailVerified, true)
  t.equal((await post('/api/auth/verify-email', { token: tokenIn(verification) })).json().code, 'INVALID_TOKEN', 'a verification link works once')
  t.equal((await app.inject({ url: '/api/me', headers: { cookie } })).json().emailVerified, true)

  const signOut = await post('/api/auth/logout', {}, { cookie, 'x-csrf-token': csrf })
  t.equal(signOut.statusCode, 204)
  t.equal((await app.inject({ url: '/api/me', headers: { cookie } })).statusCode, 401, 'the session is gone')

  const forgot = await post('/api/auth/password/forgot', { email })
  t.equal(forgot.statusCode, 202)
  const reset = await mail.next(email)
  t.match(reset.text, 'https://cloud.example.com/reset-password?token=')
  t.equal((await post('/api/auth/password/reset', { token: tokenIn(reset), password: 'short' })).json().code, 'WEAK_PASSWORD')
  t.equal((await post('/api/auth/password/reset', { token: tokenIn(reset), password: 'difference engine' })).statusCode, 204)
  t.equal((await post('/api/auth/password/reset', { token: tokenIn(reset), password: 'difference engine 2' })).json().code, 'INVALID_TOKEN', 'a reset link works once')

  t.equal((await post('/api/auth/login', { email, password: 'analytical engine' })).statusCode, 401, 'the old password no longer works')
  const again = await post('/api/auth/login', { email, password: 'difference engine' })
  t.equal(again.statusCode, 200)
  cookie = cookieFrom(app, again)
  csrf = again.json().csrfToken
  t.equal((await app.inject({ url: '/api/me', headers: { cookie } })).json().email, email)

  const changed = await post('/api/auth/password/change', { currentPassword: 'difference engine', newPassword: 'lovelace notes g' }, { cookie, 'x-csrf-token': csrf })
  t.equal(changed.statusCode, 204)
  t.equal((await post('/api/auth/logout', {}, { cookie, 'x-csrf-token': csrf })).statusCode, 204)
  t.equal((await app.inject({ url: '/api/me', headers: { cookie } })).statusCode, 401)

  const audit = await app.oauth.audit.list({ limit: 50 })
  t.same(new Set(audit.map((event) => event.type)), new Set(['register', 'login', 'email.verify', 'logout', 'password.reset', 'login.failure', 'password.change']))
})
