// The authorization server as a relying party sees it: openid-client (a certified OpenID Connect
// client) against the real server over HTTP, with a browser that signs in through our login endpoint.
import type { FastifyInstance } from 'fastify'
import net from 'node:net'
import * as oidc from 'openid-client'
import t, { type Test } from 'tap'
import type { Dialect } from '../../server/db.js'
import { forEachDialect } from '../helpers/app.js'
import { buildAuthApp, signUp, type SignedInUser } from '../helpers/auth.js'
import { Browser, formIn } from '../helpers/http-browser.js'

const CLI = 'openclaw-cli'
const CALLBACK = 'http://127.0.0.1:53682/callback'

interface Server { app: FastifyInstance, origin: string }

async function freePort (): Promise<number> {
  const probe = net.createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as net.AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}

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
  t.same(jwks.keys.map((key) => key.kty).sort(), ['OKP', 'RSA'], 'JWKS publishes the ID token and access token keys')
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
