// Sign in with GitHub end to end over HTTP, against a stand-in speaking GitHub's published OAuth and
// REST endpoints: link to a local account, sign in with it next time, state and PKCE on the wire,
// tampered state refused, linking by email only with GitHub's verified primary address, unlinking.
import { Writable } from 'node:stream'
import pino from 'pino'
import t from 'tap'
import { loggerOptions } from '../../server/logger.js'
import { forEachDialect } from '../helpers/app.js'
import { Browser } from '../helpers/http-browser.js'
import { startGitHubStandin } from '../helpers/provider-standins/github.js'
import { callbackUrlFor, csrfOf, deleteIdentity, identitiesOf, me, providerRoundTrip, registerLocally, signedIn, signInLocally, signOut, startExternalServer } from './external.js'

const client = { id: 'gh-client-id', secret: 'gh-client-secret-value' }

forEachDialect(t, 'GitHub: link, sign in, state, verified-email linking, unlink', async (t, dialect) => {
  const github = await startGitHubStandin(t, client)
  const lines: string[] = []
  const logger = pino(loggerOptions('debug'), new Writable({ write (chunk, _encoding, done) { lines.push(String(chunk)); done() } }))
  const server = await startExternalServer(t, dialect, { githubClientId: client.id, githubClientSecret: client.secret, githubUrl: github.url, githubApiUrl: github.url }, logger)
  const { origin } = server

  const providers = await (await fetch(`${origin}/api/auth/providers`)).json()
  t.same(providers, { providers: [{ id: 'github', name: 'GitHub', url: '/api/auth/github' }] }, 'the sign-in page is offered GitHub')

  // A local account links GitHub.
  const ada = await registerLocally(server, 'ada@example.com')
  const adaId = (await me(server, ada.browser)).body.id
  github.signInAs({ id: 1815, login: 'ada', emails: [{ email: 'ada@example.com', primary: true, verified: true }] })
  const linked = await providerRoundTrip(server, ada.browser, '/api/auth/github?link=1')
  const code = new URL(linked.hops[1]!).searchParams.get('code')!
  t.equal(linked.location, `${origin}/account`, 'linking ends on the account page')
  t.equal(linked.hops[0]?.startsWith(`${github.url}/login/oauth/authorize?`), true, 'the browser went to GitHub')
  const sent = github.authorizations.at(-1)!
  t.equal(sent.codeChallengeMethod, 'S256', 'PKCE with S256')
  t.match(sent.state, /^[\w-]{32}$/, 'a random state')
  t.equal(sent.redirectUri, `${origin}/api/auth/github/callback`)
  t.match(await identitiesOf(server, ada.browser), [{ provider: 'github', providerName: 'GitHub', email: 'ada@example.com', canUnlink: true }])
  t.equal(await signOut(server, ada.browser, ada.csrfToken), 204)
  t.equal(await signedIn(server, ada.browser), false, 'signed out')

  // Next time, GitHub alone signs Ada in, and returnTo brings her where she was going.
  const again = await providerRoundTrip(server, ada.browser, '/api/auth/github?returnTo=%2Finstances')
  t.equal(again.location, `${origin}/instances`)
  t.match((await me(server, ada.browser)).body, { id: adaId, email: 'ada@example.com' }, 'signed in as the linked account')
  const adaCsrf = await csrfOf(server, ada.browser)
  t.equal(await signOut(server, ada.browser, adaCsrf), 204)
  t.equal(await signedIn(server, ada.browser), false)

  // returnTo to a foreign origin is not followed.
  const foreign = await providerRoundTrip(server, ada.browser, `/api/auth/github?returnTo=${encodeURIComponent('https://evil.example.com/x')}`)
  t.equal(foreign.location, `${origin}/`, 'a foreign returnTo becomes the console')
  await signOut(server, ada.browser, await csrfOf(server, ada.browser))

  // A tampered state is refused, and signs nobody in.
  const attacker = new Browser()
  const callback = await callbackUrlFor(server, attacker, '/api/auth/github')
  callback.searchParams.set('state', `${callback.searchParams.get('state')!.slice(0, -2)}xx`)
  const tampered = await attacker.request(callback.toString(), { headers: { accept: 'application/json' } })
  t.equal(tampered.status, 400)
  t.equal((await tampered.json()).code, 'INVALID_STATE')
  t.equal(await signedIn(server, attacker), false, 'no session from a tampered state')
  // A callback without the browser's flow cookie (login CSRF: someone else's code) is refused too.
  const stranger = new Browser()
  const planted = await callbackUrlFor(server, new Browser(), '/api/auth/github')
  t.equal((await stranger.request(planted.toString(), { headers: { accept: 'application/json' } })).status, 400, 'a callback started in another browser is refused')
  const page = await new Browser().request(planted.toString())
  t.equal(page.headers.get('location'), `${origin}/sign-in?error=INVALID_STATE&provider=GitHub`, 'a browser is sent to the sign-in page, which says why')
  t.equal(page.headers.getSetCookie().some((line) => line.startsWith('oc_session=')), false, 'with no session')

  // GitHub says the address is not verified: it is neither looked up nor given to the new account.
  const grace = await registerLocally(server, 'grace@example.com')
  github.signInAs({ id: 1906, login: 'grace-impostor', emails: [{ email: 'grace@example.com', primary: true, verified: false }] })
  const impostorBrowser = new Browser()
  t.match(await providerRoundTrip(server, impostorBrowser, '/api/auth/github'), { location: `${origin}/` }, 'the impostor gets an account of their own')
  t.match((await me(server, impostorBrowser)).body, { email: /^github-[0-9a-f]{20}@users\.invalid$/, emailVerified: false }, 'not Grace\'s, and not her address either')
  t.same(await identitiesOf(server, grace.browser), [], 'nothing was linked to Grace')

  // An address GitHub verified, whose account here never confirmed it: whoever registered it may not own it.
  const unconfirmed = await server.app.oauth.accounts.createUser({ email: 'unconfirmed@example.com', password: 'a long local passphrase', verified: false })
  github.signInAs({ id: 1908, login: 'unconfirmed', emails: [{ email: unconfirmed.email, primary: true, verified: true }] })
  t.match(await providerRoundTrip(server, new Browser(), '/api/auth/github'), { location: `${origin}/sign-in?error=EMAIL_TAKEN&provider=GitHub` }, 'an account that never proved its address is not joined; the sign-in page says why')

  // With GitHub's verified primary address it joins the account of that email (verified here too).
  github.signInAs({ id: 1907, login: 'grace', emails: [{ email: 'other@example.com', primary: false, verified: true }, { email: 'Grace@example.com', primary: true, verified: true }] })
  const graceBrowser = new Browser()
  t.equal((await providerRoundTrip(server, graceBrowser, '/api/auth/github')).location, `${origin}/`)
  t.equal((await me(server, graceBrowser)).body.email, 'grace@example.com', 'linked automatically by the verified email')

  // An unknown person gets a new account, without a password.
  github.signInAs({ id: 2001, login: 'newcomer', emails: [{ email: 'newcomer@example.com', primary: true, verified: true }] })
  const newcomer = new Browser()
  t.equal((await providerRoundTrip(server, newcomer, '/api/auth/github')).location, `${origin}/`)
  t.match((await me(server, newcomer)).body, { email: 'newcomer@example.com', emailVerified: true }, 'a new account from GitHub')
  const [only] = await identitiesOf(server, newcomer)
  t.equal(only?.canUnlink, false, 'the only way to sign in is marked')
  t.same(await deleteIdentity(server, newcomer, await csrfOf(server, newcomer), only!.id), { status: 409, code: 'LAST_SIGN_IN_METHOD' }, 'the last way to sign in cannot be unlinked')

  // Ada unlinks GitHub; her password still works, GitHub now makes nobody Ada.
  const { csrfToken } = await signInLocally(server, ada.browser, ada.email, ada.password)
  const [adaGitHub] = await identitiesOf(server, ada.browser)
  t.same(await deleteIdentity(server, newcomer, await csrfOf(server, newcomer), adaGitHub!.id), { status: 404, code: 'NOT_FOUND' }, 'someone else\'s identity is not found')
  t.same(await deleteIdentity(server, ada.browser, csrfToken, adaGitHub!.id), { status: 204 })
  t.same(await identitiesOf(server, ada.browser), [])
  github.signInAs({ id: 1815, login: 'ada', emails: [{ email: 'ada@example.com', primary: true, verified: true }] })
  const relinked = await providerRoundTrip(server, new Browser(), '/api/auth/github')
  t.equal(relinked.location, `${origin}/`, 'a verified GitHub email links again on its own, as designed')

  t.same(github.refusals, [], 'GitHub refused no code exchange (client secret, redirect URI and PKCE verifier were right)')
  const audit = await server.app.oauth.audit.list({ limit: 200 })
  const external = audit.filter((event) => event.type.startsWith('external.')).map((event) => `${event.type}:${String(event.details?.provider)}`)
  t.ok(external.includes('external.link:github') && external.includes('external.login:github') && external.includes('external.register:github') && external.includes('external.unlink:github'), 'link, login, register and unlink are audited')

  const log = lines.join('')
  t.match(log, '/api/auth/github/callback', 'the callbacks were logged')
  for (const secret of [client.secret, code, sent.state!]) t.notMatch(log, secret, 'no client secret, code or state in the log')
})
