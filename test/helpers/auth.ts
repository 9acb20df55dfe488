// Signed-in users for tests: an app with the oauth plugin, and users with a session cookie, its CSRF
// token and an access token, made through the plugin's services (no rate-limited HTTP round trips).
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { randomBytes } from 'node:crypto'
import { sessionCookie } from '../../plugins/oauth/authenticate.js'
import { oauthPlugin } from '../../plugins/oauth/index.js'
import { csrfTokenFor } from '../../plugins/oauth/secrets.js'
import type { AuthUser } from '../../plugins/oauth/types.js'
import { toAuthUser } from '../../plugins/oauth/users.js'
import { buildTestApp, type TestAppOptions, type TestContext } from './app.js'

/** Low scrypt cost: hashing stays real but takes milliseconds. */
export const FAST_HASH = { passwordHashCost: 10 } as const

/** A test app with the oauth plugin (plus `installed`), fast password hashing and the given config. */
export async function buildAuthApp (t: TestContext, options: TestAppOptions = {}): Promise<FastifyInstance> {
  return await buildTestApp(t, {
    ...options,
    installed: [oauthPlugin, ...(options.installed ?? [])],
    config: { ...FAST_HASH, ...options.config }
  })
}

export interface SignUpOptions {
  email?: string
  password?: string
  roles?: string[]
  /** Default true. */
  verified?: boolean
}

export interface SignedInUser {
  user: AuthUser
  email: string
  password: string
  /** `cookie` header value carrying the session. */
  cookie: string
  csrfToken: string
  accessToken: string
}

export async function signUp (app: FastifyInstance, options: SignUpOptions = {}): Promise<SignedInUser> {
  const email = options.email ?? `user-${randomBytes(4).toString('hex')}@example.com`
  const password = options.password ?? `pw-${randomBytes(12).toString('base64url')}`
  const services = app.oauth
  const user = await services.accounts.createUser({ email, password, roles: options.roles, verified: options.verified ?? true })
  const { token } = await services.sessions.create(user.id, { ip: '127.0.0.1', userAgent: 'tap' })
  const pair = await services.tokens.issue(user.id)
  return {
    user: toAuthUser(user),
    email,
    password,
    cookie: `${sessionCookie(app.config).name}=${token}`,
    csrfToken: csrfTokenFor(services.keys, token),
    accessToken: pair.access_token
  }
}

/** Headers of a request as the console makes it (cookie + CSRF token) or as an API client does (Bearer). */
export function authHeaders (who: Pick<SignedInUser, 'cookie' | 'csrfToken' | 'accessToken'>, via: 'cookie' | 'bearer' = 'cookie'): Record<string, string> {
  return via === 'cookie' ? { cookie: who.cookie, 'x-csrf-token': who.csrfToken } : { authorization: `Bearer ${who.accessToken}` }
}

/** The session cookie a response set, as a `cookie` header value. */
export function cookieFrom (app: FastifyInstance, response: LightMyRequestResponse): string {
  const name = sessionCookie(app.config).name
  const found = response.cookies.find((cookie) => cookie.name === name)
  if (found === undefined) throw new Error(`response set no ${name} cookie`)
  return `${name}=${found.value}`
}
