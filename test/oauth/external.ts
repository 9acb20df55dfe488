// Shared steps of the external sign-in tests: a listening server whose PUBLIC_URL is its real
// address (providers redirect the browser back to it), a local account made over HTTP with real mail,
// and the provider round trip as a browser makes it.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import type { ConfigInput } from '../../server/config.js'
import type { Dialect } from '../../server/db.js'
import { buildAuthApp } from '../helpers/auth.js'
import { Browser } from '../helpers/http-browser.js'
import { freePort } from '../helpers/process.js'
import { startMailServer, tokenIn, type MailServer } from './mail.js'

export interface ExternalServer { app: FastifyInstance, origin: string, mail: MailServer }

export async function startExternalServer (t: Test, dialect: Dialect, config: Partial<ConfigInput>, logger?: FastifyBaseLogger): Promise<ExternalServer> {
  const mail = await startMailServer(t)
  const port = config.port ?? await freePort()
  const origin = `http://127.0.0.1:${port}`
  const app = await buildAuthApp(t, { dialect, config: { publicUrl: origin, port, smtpUrl: mail.url, ...config }, logger })
  await app.listen({ host: '127.0.0.1', port })
  return { app, origin, mail }
}

export interface LocalUser { browser: Browser, email: string, password: string, csrfToken: string }

/** Registers over HTTP, confirms the mailed link, signs in: a browser holding the session. */
export async function registerLocally (server: ExternalServer, email: string, password = 'a long local passphrase'): Promise<LocalUser> {
  const browser = new Browser()
  const json = { accept: 'application/json' }
  const registered = await browser.request(`${server.origin}/api/auth/register`, { json: { email, password }, headers: json })
  if (registered.status !== 202) throw new Error(`register answered ${registered.status}: ${await registered.text()}`)
  const verified = await browser.request(`${server.origin}/api/auth/verify-email`, { json: { token: tokenIn(await server.mail.next(email)) }, headers: json })
  if (verified.status !== 200) throw new Error(`verify answered ${verified.status}`)
  return { browser, email, password, ...await signInLocally(server, browser, email, password) }
}

export async function signInLocally (server: ExternalServer, browser: Browser, email: string, password: string): Promise<{ csrfToken: string }> {
  const login = await browser.request(`${server.origin}/api/auth/login`, { json: { email, password }, headers: { accept: 'application/json' } })
  if (login.status !== 200) throw new Error(`login answered ${login.status}`)
  return { csrfToken: ((await login.json()) as { csrfToken: string }).csrfToken }
}

export async function signOut (server: ExternalServer, browser: Browser, csrfToken: string): Promise<number> {
  const answer = await browser.request(`${server.origin}/api/auth/logout`, { json: {}, headers: { accept: 'application/json', 'x-csrf-token': csrfToken } })
  return answer.status
}

export async function getJson<T = Record<string, unknown>> (browser: Browser, url: string): Promise<{ status: number, body: T }> {
  const answer = await browser.request(url, { headers: { accept: 'application/json' } })
  return { status: answer.status, body: await answer.json() as T }
}

export async function me (server: ExternalServer, browser: Browser): Promise<{ status: number, body: { id?: string, email?: string, emailVerified?: boolean } }> {
  return await getJson(browser, `${server.origin}/api/me`)
}

/** Whether the browser is signed in: `/api/me` answers null (typed as a user above for the signed-in cases) for a visitor. */
export async function signedIn (server: ExternalServer, browser: Browser): Promise<boolean> {
  const answer = await me(server, browser)
  return answer.status === 200 && answer.body !== null
}

export interface Identity { id: string, provider: string, providerName: string, email: string | null, canUnlink: boolean }

export async function identitiesOf (server: ExternalServer, browser: Browser): Promise<Identity[]> {
  return (await getJson<{ identities: Identity[] }>(browser, `${server.origin}/api/me/identities`)).body.identities
}

/**
 * Starts a sign-in (or link) at `/api/auth/<provider>` and follows every redirect: to the provider,
 * which approves, back to our callback, and on to where we send the browser. Ends at the first
 * location outside our API (the console page), or at an answer that is not a redirect (an error).
 */
export async function providerRoundTrip (server: ExternalServer, browser: Browser, start: string): Promise<{ location?: string, status?: number, body?: { code?: string, message?: string }, hops: string[] }> {
  const outsideApi = (location: string): boolean => location.startsWith(server.origin) && !location.startsWith(`${server.origin}/api/`)
  const result = await browser.follow(`${server.origin}${start}`, outsideApi)
  if (result.response === undefined) return { location: result.location, hops: result.hops }
  const text = await result.response.text()
  let body: { code?: string, message?: string } | undefined
  try { body = JSON.parse(text) as { code?: string, message?: string } } catch { body = { message: text } }
  return { status: result.response.status, body, hops: result.hops }
}

/** Follows a start until the provider sends the browser back to our callback, without going there. */
export async function callbackUrlFor (server: ExternalServer, browser: Browser, start: string): Promise<URL> {
  const result = await browser.follow(`${server.origin}${start}`, (location) => location.includes('/callback?'))
  if (result.location === undefined) throw new Error(`the flow did not reach our callback: ${result.hops.join(' -> ')}`)
  return new URL(result.location)
}

export async function deleteIdentity (server: ExternalServer, browser: Browser, csrfToken: string, id: string): Promise<{ status: number, code?: string }> {
  const answer = await browser.request(`${server.origin}/api/me/identities/${id}`, { method: 'DELETE', headers: { accept: 'application/json', 'x-csrf-token': csrfToken } })
  if (answer.status === 204) return { status: 204 }
  return { status: answer.status, code: ((await answer.json()) as { code: string }).code }
}

/** The CSRF token of the session a provider sign-in gave the browser. */
export async function csrfOf (server: ExternalServer, browser: Browser): Promise<string> {
  return (await getJson<{ csrfToken: string }>(browser, `${server.origin}/api/auth/csrf`)).body.csrfToken
}

export interface JourneySpec<P> {
  provider: string
  /** The person at the provider; `email` undefined for providers that give none (WeChat). */
  person: (subject: string, email: string | undefined, emailVerified: boolean) => P
  standin: { signInAs: (person: P) => void, refusals: string[] }
  /** Whether the provider gives an email at all (WeChat does not). */
  givesEmail: boolean
}

/**
 * The journey every provider must support, over HTTP: a local user links the provider, signs out,
 * signs in with it next time, signs out; a tampered state is refused; an email the provider does not
 * vouch for never opens an existing account; unlinking works, but never of the last way to sign in.
 */
export async function externalJourney<P> (t: Test, server: ExternalServer, spec: JourneySpec<P>): Promise<void> {
  const { origin } = server
  const { provider, standin } = spec
  const listed = await getJson<{ providers: Array<{ id: string, url: string }> }>(new Browser(), `${origin}/api/auth/providers`)
  t.match(listed.body.providers, [{ id: provider, url: `/api/auth/${provider}` }], `the sign-in page is offered ${provider}`)

  const local = await registerLocally(server, `local-${provider}@example.com`)
  const localId = (await me(server, local.browser)).body.id
  standin.signInAs(spec.person('person-1', local.email, true))
  t.match(await providerRoundTrip(server, local.browser, `/api/auth/${provider}?link=1`), { location: `${origin}/account` }, 'linked, back on the account page')
  t.match(await identitiesOf(server, local.browser), [{ provider, canUnlink: true }])
  t.equal(await signOut(server, local.browser, local.csrfToken), 204)
  t.equal(await signedIn(server, local.browser), false)

  t.match(await providerRoundTrip(server, local.browser, `/api/auth/${provider}?returnTo=%2Fdashboard`), { location: `${origin}/dashboard` }, 'signed in with the provider, on to returnTo')
  t.equal((await me(server, local.browser)).body.id, localId, 'as the linked local account')
  t.equal(await signOut(server, local.browser, await csrfOf(server, local.browser)), 204)
  t.equal(await signedIn(server, local.browser), false)

  const attacker = new Browser()
  const callback = await callbackUrlFor(server, attacker, `/api/auth/${provider}`)
  callback.searchParams.set('state', 'forged-state-value-forged-state-v')
  const tampered = await attacker.request(callback.toString(), { headers: { accept: 'application/json' } })
  t.equal(tampered.status, 400)
  t.equal((await tampered.json()).code, 'INVALID_STATE', 'a tampered state is refused')
  t.equal(await signedIn(server, attacker), false, 'and signs nobody in')

  const victim = await registerLocally(server, `victim-${provider}@example.com`)
  standin.signInAs(spec.person('person-2', spec.givesEmail ? victim.email : undefined, false))
  const stranger = new Browser()
  const unverified = await providerRoundTrip(server, stranger, `/api/auth/${provider}`)
  t.match(unverified, { location: `${origin}/` }, 'an email the provider does not vouch for gets an account of its own')
  t.match((await me(server, stranger)).body, { email: /@users\.invalid$/, emailVerified: false }, 'never the account of that email, nor the address')
  t.same(await identitiesOf(server, victim.browser), [], 'nothing linked to the account of that email')

  standin.signInAs(spec.person('person-3', spec.givesEmail ? `new-${provider}@example.com` : undefined, true))
  const newcomer = new Browser()
  t.match(await providerRoundTrip(server, newcomer, `/api/auth/${provider}`), { location: `${origin}/` }, 'an unknown person gets a new account')
  const [only] = await identitiesOf(server, newcomer)
  t.same(await deleteIdentity(server, newcomer, await csrfOf(server, newcomer), only!.id), { status: 409, code: 'LAST_SIGN_IN_METHOD' }, 'the last way to sign in stays')
  const newcomerMe = (await me(server, newcomer)).body as { email: string, hasPassword: boolean }
  t.equal(newcomerMe.hasPassword, false, 'an account made by the provider has no password')
  const deleteMe = async (body: object): Promise<{ status: number, code?: string }> => {
    const answer = await newcomer.request(`${origin}/api/me`, { method: 'DELETE', headers: { accept: 'application/json', 'x-csrf-token': await csrfOf(server, newcomer) }, json: body })
    return answer.status === 204 ? { status: 204 } : { status: answer.status, code: ((await answer.json()) as { code: string }).code }
  }
  t.same(await deleteMe({ confirmEmail: 'someone-else@example.com' }), { status: 400, code: 'DELETION_NOT_CONFIRMED' }, 'deleting it asks for its email, not a password it does not have')
  t.same(await deleteMe({ confirmEmail: newcomerMe.email.toUpperCase() }), { status: 204 }, 'and with it the account is deleted')
  t.equal(await signedIn(server, newcomer), false, 'which signs it out')

  const { csrfToken } = await signInLocally(server, local.browser, local.email, local.password)
  const [linked] = await identitiesOf(server, local.browser)
  t.same(await deleteIdentity(server, local.browser, csrfToken, linked!.id), { status: 204 }, 'unlinked')
  t.same(await identitiesOf(server, local.browser), [])
  t.same(standin.refusals, [], 'the provider refused no code exchange')
}
