// The authorization server as a relying party sees it: openid-client (a certified OpenID Connect
// client) against the real server over HTTP, with a browser that signs in through our login endpoint.
import type { FastifyInstance } from 'fastify'
import * as oidc from 'openid-client'
import t, { type Test } from 'tap'
import type { Dialect } from '../../server/db.js'
import { forEachDialect } from '../helpers/app.js'
import { buildAuthApp, signUp, type SignedInUser } from '../helpers/auth.js'
import { Browser, formIn } from '../helpers/http-browser.js'
import { freePort } from '../helpers/process.js'

const CLI = 'openclaw-cli'
const CALLBACK = 'http://127.0.0.1:53682/callback'

interface Server { app: FastifyInstance, origin: string }

/** A listening server whose PUBLIC_URL is its real address, as the issuer must be. */
async function startServer (t: Test, options: { dialect?: Dialect, config?: Record<string, unknown> } = {}): Promise<Server> {
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const app = await buildAuthApp(t, { dialect: options.dialect, config: { publicUrl: origin, port, ...options.config } })
  await app.listen({ host: '127.0.0.1', port })
  return { app, origin }
}

async function discover (server: Server, clientId = CLI, clientAuth: oidc.ClientAuth = oidc.None()): Promise<oidc.Configuration> {
  return await oidc.discovery(new URL(server.origin), clientId, undefined, clientAuth, { execute: [oidc.allowInsecureRequests] })
}

/** A browser signed into the console through POST /api/auth/login. */
async function signedInBrowser (server: Server, who: SignedInUser): Promise<Browser> {
  const browser = new Browser()
  const login = await browser.request(`${server.origin}/api/auth/login`, { json: { email: who.email, password: who.password } })
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`)
  return browser
}

interface CodeRequest { verifier: string, state: string, url: URL }

async function codeRequest (config: oidc.Configuration, parameters: Record<string, string> = {}): Promise<CodeRequest> {
  const verifier = oidc.randomPKCECodeVerifier()
  const state = oidc.randomState()
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: 'openid email offline_access tenants:read',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    // offline_access (a refresh token) needs explicit consent (OpenID Connect Core §11).
    prompt: 'consent',
    state,
    ...parameters
  })
  return { verifier, state, url }
}

const toCallback = (location: string): boolean => location.startsWith(CALLBACK)

/** Runs the browser part of a code flow for a signed-in user, allowing on the consent page; returns the callback URL. */
async function authorize (t: Test, browser: Browser, request: CodeRequest): Promise<URL> {
  const toConsent = await browser.follow(request.url.toString(), toCallback)
  if (toConsent.location !== undefined) return new URL(toConsent.location)
  const page = await toConsent.response!.text()
  t.match(page, 'OpenClaw CLI', 'the consent page names the client')
  t.match(page, 'See your instances', 'and says what it may do')
  const consent = formIn(page, toConsent.response!.url)
  const done = await browser.follow(consent.action, toCallback, { form: { ...consent.fields, decision: 'allow' } })
  if (done.location === undefined) throw new Error(`no redirect to the client: ${done.response?.status} ${await done.response?.text()}`)
  return new URL(done.location)
}

async function api (server: Server, path: string, accessToken: string): Promise<{ status: number, body: Record<string, unknown> }> {
  const response = await fetch(`${server.origin}${path}`, { headers: { authorization: `Bearer ${accessToken}` } })
  return { status: response.status, body: await response.json() as Record<string, unknown> }
}

/** Asserts that a grant fails with this OAuth `error` code. */
async function rejection (t: Test, promise: Promise<unknown>, error: string, what: string): Promise<void> {
  const failure = await promise.then(() => undefined, (err: unknown) => err as { error?: string })
  t.equal(failure?.error, error, what)
}

forEachDialect(t, 'authorization code with PKCE, refresh rotation, and their misuse', async (t, dialect) => {
  const server = await startServer(t, { dialect })
  const ada = await signUp(server.app, { email: 'ada@example.com' })
  const config = await discover(server)
  const metadata = config.serverMetadata()
  t.equal(metadata.issuer, server.origin, 'discovery at /.well-known/openid-configuration names the issuer')
  t.same(metadata.code_challenge_methods_supported, ['S256'], 'PKCE with S256 only')
  t.ok(metadata.grant_types_supported?.includes('urn:ietf:params:oauth:grant-type:device_code'), 'the device flow is offered')
  const jwks = await (await fetch(metadata.jwks_uri!)).json() as { keys: Array<{ kty: string, d?: string }> }
  t.same(jwks.keys.map((key) => key.kty).sort(), ['EC', 'OKP'], 'JWKS publishes the ID token and access token keys')
  t.notOk(jwks.keys.some((key) => key.d !== undefined), 'and no private part')

  const browser = await signedInBrowser(server, ada)
  const request = await codeRequest(config)
  const callback = await authorize(t, browser, request)
  t.equal(callback.searchParams.get('state'), request.state)

  await t.rejects(oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: `${request.state}x` }),
    { code: 'OAUTH_INVALID_RESPONSE' }, 'a tampered state is rejected')

  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state })
  t.match(tokens.claims(), { sub: ada.user.id, email: 'ada@example.com', email_verified: true, iss: server.origin, aud: CLI }, 'the ID token says who signed in')
  const me = await api(server, '/api/me', tokens.access_token)
  t.equal(me.status, 200, 'the access token works on our API')
  t.match(me.body, { email: 'ada@example.com', scopes: ['tenants:read'] }, 'limited to the scopes the user granted')

  await rejection(t, oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state }), 'invalid_grant', 'a code works once')
  await rejection(t, oidc.refreshTokenGrant(config, tokens.refresh_token!), 'invalid_grant', 'and reusing it revokes what it gave')

  const second = await codeRequest(config)
  const secondCallback = await authorize(t, browser, second)
  await rejection(t, oidc.authorizationCodeGrant(config, secondCallback, { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: second.state }), 'invalid_grant', 'a wrong code_verifier is rejected')

  const third = await codeRequest(config)
  const fresh = await oidc.authorizationCodeGrant(config, await authorize(t, browser, third), { pkceCodeVerifier: third.verifier, expectedState: third.state })
  const rotated = await oidc.refreshTokenGrant(config, fresh.refresh_token!)
  t.not(rotated.refresh_token, fresh.refresh_token, 'a refresh rotates the refresh token')
  t.equal((await api(server, '/api/me', rotated.access_token)).status, 200, 'and gives a working access token')
  await rejection(t, oidc.refreshTokenGrant(config, fresh.refresh_token!), 'invalid_grant', 'a used refresh token is rejected')
  await rejection(t, oidc.refreshTokenGrant(config, rotated.refresh_token!), 'invalid_grant', 'and its reuse revokes the newer one too')

  for (const redirectUri of ['https://evil.example/callback', 'http://127.0.0.1:53682/callback/../steal', 'http://127.0.0.1:53682/other']) {
    const foreign = await codeRequest(config, { redirect_uri: redirectUri })
    const response = await browser.request(foreign.url.toString())
    t.equal(response.status, 400, `redirect URI ${redirectUri} is refused`)
    t.equal(response.headers.get('location'), null, 'without redirecting anywhere')
    t.match(await response.text(), 'redirect_uri did not match any of the client', 'the page says why')
  }
})

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'

/** Opens a verification_uri_complete as a browser does: oidc-provider's page posts the code itself. */
async function openDeviceLink (browser: Browser, link: string): Promise<{ page: string, url: string }> {
  const entry = await browser.request(link)
  const autoSubmit = formIn(await entry.text(), link)
  const confirm = await browser.request(autoSubmit.action, { form: autoSubmit.fields })
  t.equal(confirm.status, 200)
  return { page: await confirm.text(), url: autoSubmit.action }
}

async function tokenRequest (server: Server, form: Record<string, string>): Promise<Response> {
  return await fetch(`${server.origin}/oidc/token`, { method: 'POST', body: new URLSearchParams(form) })
}

t.test('device authorization grant: poll, approve in the browser, get tokens', async (t) => {
  const server = await startServer(t)
  const ada = await signUp(server.app, { email: 'ada@example.com' })
  const config = await discover(server)
  const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid offline_access tenants:read tenants:write' })
  t.match(device, { user_code: /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/, verification_uri: `${server.origin}/oidc/device` })

  const early = await tokenRequest(server, { grant_type: DEVICE_GRANT, device_code: device.device_code, client_id: CLI })
  t.match(await early.json(), { error: 'authorization_pending' }, 'polling before approval is told to wait')
  // openid-client waits `interval` seconds between polls (5 by default, RFC 8628 §3.5); shortened to keep the test quick.
  const polling = oidc.pollDeviceAuthorizationGrant(config, { ...device, interval: 0.2 })

  const browser = await signedInBrowser(server, ada)
  const { page, url } = await openDeviceLink(browser, device.verification_uri_complete!)
  t.match(page, 'OpenClaw CLI', 'the confirmation page names the requesting client')
  t.match(page, device.user_code, 'shows the code to compare with the device')
  t.match(page, 'Requested from', 'and where the request came from')
  t.match(page, 'ada@example.com', 'and whom it will act for')
  const confirm = formIn(page, url)
  const approved = await browser.follow(confirm.action, undefined, { form: confirm.fields })
  t.match(await approved.response!.text(), 'Device connected')

  const tokens = await polling
  t.ok(tokens.refresh_token, 'the device gets a refresh token')
  t.match((await api(server, '/api/me', tokens.access_token)).body, { email: 'ada@example.com', scopes: ['tenants:read', 'tenants:write'] })
  const again = await tokenRequest(server, { grant_type: DEVICE_GRANT, device_code: device.device_code, client_id: CLI })
  t.match(await again.json(), { error: 'invalid_grant' }, 'a device code gives tokens once')
})

t.test('a box claim started by a plugin: the owner signs in on the way, or denies', async (t) => {
  const server = await startServer(t)
  const ada = await signUp(server.app, { email: 'ada@example.com' })
  const authorizationServer = server.app.authorizationServer
  await authorizationServer.registerClient({ clientId: 'test-box', clientName: 'OpenClaw Box', grantTypes: [DEVICE_GRANT] })
  const { deviceAuthorizations } = authorizationServer

  const claim = await deviceAuthorizations.start({ clientId: 'test-box', deviceInfo: { boxId: 'ocb_0123456789ABCDEF', name: 'Kitchen box' } })
  t.match(claim, { verificationUri: `${server.origin}/oidc/device`, verificationUriComplete: `${server.origin}/oidc/device?user_code=${claim.userCode}`, interval: 5 })
  t.same(await deviceAuthorizations.status(claim.deviceCode), { status: 'pending' })
  const outcome = deviceAuthorizations.wait(claim.deviceCode, { pollMs: 100 })

  const browser = new Browser()
  const { page, url } = await openDeviceLink(browser, claim.verificationUriComplete)
  t.match(page, 'ocb_0123456789ABCDEF', 'the confirmation page shows the box')
  t.match(page, 'Kitchen box')
  t.match(page, 'You will sign in next')
  const confirm = formIn(page, url)
  const toSignIn = await browser.follow(confirm.action, undefined, { form: confirm.fields })
  const signInPage = await toSignIn.response!.text()
  t.match(signInPage, 'Sign in to continue to <strong>OpenClaw Box</strong>', 'a browser without a console session is asked to sign in')
  const signIn = formIn(signInPage, toSignIn.response!.url)
  const wrong = await browser.request(signIn.action, { form: { email: ada.email, password: 'not it' } })
  t.equal(wrong.status, 401)
  t.match(await wrong.text(), 'Email or password is wrong')
  const done = await browser.follow(signIn.action, undefined, { form: { email: ada.email, password: ada.password } })
  t.match(await done.response!.text(), 'Device connected')
  t.same(await outcome, { status: 'approved', userId: ada.user.id }, 'the plugin learns who approved')
  const me = await browser.request(`${server.origin}/api/me`)
  t.match(await me.json(), { email: ada.email }, 'signing in there also signed the browser into the console')

  const denied = await deviceAuthorizations.start({ clientId: 'test-box', deviceInfo: { boxId: 'ocb_0123456789ABCDEG' } })
  const second = await openDeviceLink(browser, denied.verificationUriComplete)
  const deny = formIn(second.page, second.url)
  const answer = await browser.request(deny.action, { form: { ...deny.fields, abort: 'yes' } })
  t.match(await answer.text(), 'The request was denied')
  t.same(await deviceAuthorizations.status(denied.deviceCode), { status: 'denied' })

  await t.rejects(deviceAuthorizations.start({ clientId: CLI.replace('cli', 'nobody'), deviceInfo: {} }), /not registered/)
})

t.test('a first-party web client registered by a plugin: secret, tenant-host redirect URIs, no consent page', async (t) => {
  const server = await startServer(t)
  const ada = await signUp(server.app, { email: 'ada@example.com' })
  const tenantCallbacks = new Set(['http://alpha.apps.test/_oauth/callback'])
  const secret = 'router-secret-0123456789abcdef0123456789'
  await server.app.authorizationServer.registerClient({
    clientId: 'test-router',
    clientName: 'Router',
    clientSecret: secret,
    redirectUris: [`${server.origin}/_oauth/callback`],
    redirectUriMatches: (uri) => tenantCallbacks.has(uri),
    grantTypes: ['authorization_code'],
    trusted: true
  })
  await t.rejects(server.app.authorizationServer.registerClient({ clientId: 'test-router', clientName: 'Again', grantTypes: ['authorization_code'], redirectUris: ['https://x.example/cb'] }), /registered already/)
  await t.rejects(server.app.authorizationServer.registerClient({ clientId: 'bad', clientName: 'Bad', grantTypes: ['authorization_code'], redirectUris: ['https://x.example/cb#fragment'] }), /OAuth client bad is invalid: .*fragment/)

  const config = await discover(server, 'test-router', oidc.ClientSecretBasic(secret))
  const verifier = oidc.randomPKCECodeVerifier()
  const url = oidc.buildAuthorizationUrl(config, { redirect_uri: 'http://alpha.apps.test/_oauth/callback', scope: 'openid email', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' })
  const browser = await signedInBrowser(server, ada)
  const result = await browser.follow(url.toString(), (location) => location.startsWith('http://alpha.apps.test/'))
  t.ok(result.location, 'a signed-in user goes straight back to the tenant host, without a consent page')
  const tokens = await oidc.authorizationCodeGrant(config, new URL(result.location!), { pkceCodeVerifier: verifier })
  t.match(tokens.claims(), { sub: ada.user.id, email: ada.email })
  t.equal((await api(server, '/api/me', tokens.access_token)).status, 401, 'its tokens do not open our API')

  const again = oidc.buildAuthorizationUrl(config, { redirect_uri: 'http://alpha.apps.test/_oauth/callback', scope: 'openid', prompt: 'login', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' })
  const reauthentication = await browser.follow(again.toString(), (location) => location.startsWith('http://alpha.apps.test/'))
  t.match(await reauthentication.response?.text(), 'Sign in to continue', 'prompt=login asks for the password even with a console session')

  const other = oidc.buildAuthorizationUrl(config, { redirect_uri: 'http://beta.apps.test/_oauth/callback', scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' })
  t.equal((await browser.request(other.toString())).status, 400, 'a host its check does not admit is refused')
  const plain = oidc.buildAuthorizationUrl(config, { redirect_uri: 'http://alpha.apps.test/_oauth/callback', scope: 'openid' })
  const withoutPkce = await browser.follow(plain.toString(), (location) => location.startsWith('http://alpha.apps.test/'))
  t.match(new URL(withoutPkce.location!).searchParams.get('error_description'), /requires PKCE/, 'PKCE is required of confidential clients too')
})

t.test('an expired device code is refused; device-code and token endpoints are rate limited', async (t) => {
  const server = await startServer(t, { config: { deviceCodeTtl: 1, authRateLimit: 3 } })
  const config = await discover(server)
  const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' })
  await new Promise((resolve) => setTimeout(resolve, 1500))
  await rejection(t, oidc.pollDeviceAuthorizationGrant(config, { ...device, interval: 0.01 }), 'expired_token', 'polling an expired device code is told so')

  const browser = new Browser()
  const entry = await browser.request(`${server.origin}/oidc/device`)
  const form = formIn(await entry.text(), entry.url)
  const typed = await browser.request(form.action, { form: { ...form.fields, user_code: device.user_code } })
  t.match(await typed.text(), 'That code has expired', 'and so is the user typing its code')

  const deviceAuthorization = (): Promise<Response> => fetch(`${server.origin}/oidc/device/auth`, { method: 'POST', body: new URLSearchParams({ client_id: CLI, scope: 'openid' }) })
  t.equal((await deviceAuthorization()).status, 200)
  t.equal((await deviceAuthorization()).status, 200)
  const limited = await deviceAuthorization()
  t.equal(limited.status, 429, 'the device authorization endpoint is rate limited')
  t.match(await limited.json(), { code: 'RATE_LIMITED' })
  t.ok(limited.headers.get('retry-after'))

  for (let i = 0; i < 2; i++) t.equal((await tokenRequest(server, { grant_type: DEVICE_GRANT, device_code: 'guess', client_id: CLI })).status, 400)
  t.equal((await tokenRequest(server, { grant_type: DEVICE_GRANT, device_code: 'guess', client_id: CLI })).status, 429, 'so is the token endpoint')
})
