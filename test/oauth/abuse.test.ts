// Abuse protection: rate limits and per-account backoff on sign-in, answers that never say whether
// an email has an account, and no open redirects after sign-in.
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { safeReturnTo } from '../../plugins/oauth/return-to.js'
import { forEachDialect } from '../helpers/app.js'
import { buildAuthApp, signUp } from '../helpers/auth.js'

const fastWindows = { authRateLimit: 20, authRateWindow: 2000, loginLockoutThreshold: 5, loginLockoutWindow: 300 }

forEachDialect(t, 'a burst of 50 wrong passwords is limited, backed off and audited; the real password works after the window', async (t, dialect) => {
  const app = await buildAuthApp(t, { dialect, config: fastWindows })
  const victim = await signUp(app, { email: 'victim@example.com' })
  const login = (password: string) => app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: victim.email, password } })

  // One client firing as fast as it can: each request leaves as soon as the previous one is answered.
  const burst = []
  for (let i = 0; i < 5; i++) burst.push(await login(`wrong password ${i}`))
  const locked = await app.inject({ method: 'POST', url: '/api/auth/token', payload: { grant_type: 'password', email: victim.email, password: victim.password } })
  t.equal(locked.json().code, 'LOGIN_LOCKED', 'after 5 failures the account is backed off, on every sign-in endpoint, even for the real password')
  for (let i = 5; i < 50; i++) burst.push(await login(`wrong password ${i}`))
  const codes = burst.map((response) => response.json().code as string)
  t.notOk(burst.some((response) => response.statusCode === 200), 'no wrong password signs in')
  t.same(new Set(codes), new Set(['INVALID_CREDENTIALS', 'LOGIN_LOCKED', 'RATE_LIMITED']), 'wrong, then backed off, then rate-limited')
  t.same(codes.slice(0, 5), Array(5).fill('INVALID_CREDENTIALS'), 'the first failures are plain failures')
  t.same(codes.slice(20), Array(30).fill('RATE_LIMITED'), `the address is limited after ${fastWindows.authRateLimit} requests`)
  t.match(burst[5]!.json(), { statusCode: 429, code: 'LOGIN_LOCKED', message: /try again in \d+ seconds/ })
  const limited = burst.find((response) => response.json().code === 'RATE_LIMITED')!
  t.match(limited.json(), { statusCode: 429, error: 'Too Many Requests', message: /try again in \d+ seconds/ })
  t.ok(limited.headers['retry-after'], 'rate-limited answers say when to retry')

  t.equal((await login(victim.password)).statusCode, 429, 'right after the burst even the real password waits')

  const failures = await app.oauth.audit.list({ limit: 100, type: 'login.failure' })
  t.ok(failures.length >= 5 && failures.every((event) => event.userId === victim.user.id), `failures are audited (${failures.length})`)
  t.ok((await app.oauth.audit.list({ limit: 10, type: 'login.lockout' })).length >= 1, 'the lockout is audited')

  const parallel = await Promise.all(Array.from({ length: 20 }, (_, i) => login(`parallel ${i}`)))
  t.ok(parallel.every((response) => response.statusCode === 429), 'a parallel burst is turned away too')

  let answer = await login(victim.password)
  for (const deadline = Date.now() + 10_000; answer.statusCode === 429 && Date.now() < deadline; answer = await login(victim.password)) await sleep(200)
  t.equal(answer.statusCode, 200, 'after the window the real password works')
})

t.test('no answer tells whether an email has an account', async (t) => {
  const app = await buildAuthApp(t, { config: { authRateLimit: 1000, loginLockoutThreshold: 6, loginLockoutWindow: 60_000 } })
  const known = await signUp(app, { email: 'known@example.com' })
  const post = (url: string, payload: object) => app.inject({ method: 'POST', url, payload })
  const same = async (what: string, url: string, forKnown: object, forUnknown: object) => {
    const a = await post(url, forKnown)
    const b = await post(url, forUnknown)
    t.equal(a.statusCode, b.statusCode, `${what}: same status`)
    t.equal(a.body, b.body, `${what}: same body`)
  }

  await same('sign-in', '/api/auth/login', { email: known.email, password: 'wrong password 1' }, { email: 'nobody@example.com', password: 'wrong password 1' })
  await same('token grant', '/api/auth/token', { grant_type: 'password', email: known.email, password: 'wrong password 2' }, { grant_type: 'password', email: 'nobody@example.com', password: 'wrong password 2' })
  await same('registration', '/api/auth/register', { email: known.email, password: 'a fine password' }, { email: 'new@example.com', password: 'a fine password' })
  await same('forgotten password', '/api/auth/password/forgot', { email: known.email }, { email: 'nobody@example.com' })
  for (let i = 0; i < 4; i++) await same(`failure ${i + 3}`, '/api/auth/login', { email: known.email, password: 'wrong password' }, { email: 'nobody@example.com', password: 'wrong password' })
  const lockedKnown = await post('/api/auth/login', { email: known.email, password: known.password })
  const lockedUnknown = await post('/api/auth/login', { email: 'nobody@example.com', password: known.password })
  t.equal(lockedKnown.json().code, 'LOGIN_LOCKED')
  t.equal(lockedUnknown.json().code, 'LOGIN_LOCKED', 'an unknown email is locked out the same way')
})

t.test('returnTo goes only to our own origin or an instance host', async (t) => {
  const config = { publicUrl: 'https://cloud.example.com', appsDomain: 'apps.example.com' }
  const home = 'https://cloud.example.com/'
  const cases: Array<[string | undefined, string]> = [
    [undefined, home],
    ['/instances/x?tab=logs', 'https://cloud.example.com/instances/x?tab=logs'],
    ['https://cloud.example.com/boxes', 'https://cloud.example.com/boxes'],
    ['https://my-box.apps.example.com/chat', 'https://my-box.apps.example.com/chat'],
    ['https://evil.com/', home],
    ['//evil.com/', home],
    ['/\\evil.com', home],
    ['https://evil.com\\@cloud.example.com', home],
    ['https://cloud.example.com@evil.com/', home],
    ['https://a.b.apps.example.com/', home],
    ['https://apps.example.com/', home],
    ['https://evilapps.example.com/', home],
    ['http://my-box.apps.example.com/', home],
    ['https://my-box.apps.example.com:8443/', home],
    ['javascript:alert(1)', home],
    ['/\t/evil.com', home]
  ]
  for (const [returnTo, expected] of cases) t.equal(safeReturnTo(config, returnTo), expected, `returnTo ${String(returnTo)}`)

  const app = await buildAuthApp(t, { config })
  const user = await signUp(app)
  const answer = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: user.password, returnTo: 'https://evil.com/phish' } })
  t.equal(answer.json().returnTo, home, 'sign-in answers the console instead of a foreign site')
})
