// Who is asking: every request is authenticated once, from a Bearer token (access JWT or personal API
// token) or the session cookie. Cookie-authenticated state changes need the session's CSRF token.
// Routes then declare what they need with `requireUser`, instead of checking inside handlers.
import type { CookieSerializeOptions } from '@fastify/cookie'
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify'
import type { Config } from '../../server/config.js'
import { User } from './entities.js'
import { CsrfInvalid, EmailNotVerified, MissingScope, Unauthenticated } from './errors.js'
import { LIFETIME } from './lifetimes.js'
import { csrfTokenFor, safeEqual, TOKEN_PREFIX } from './secrets.js'
import type { OAuthServices } from './services.js'
import type { AuthUser, Credential, RequireUserOptions } from './types.js'
import { toAuthUser } from './users.js'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
export const CSRF_HEADER = 'x-csrf-token'

export interface SessionCookie { name: string, options: CookieSerializeOptions }

/** Over https the `__Host-` prefix makes browsers refuse the cookie unless Secure, host-only and path=/. */
export function sessionCookie (config: Pick<Config, 'publicUrl'>): SessionCookie {
  const secure = config.publicUrl.startsWith('https:')
  return {
    name: secure ? '__Host-oc_session' : 'oc_session',
    options: { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: LIFETIME.session / 1000 }
  }
}

type Resolved = { user: AuthUser, credential: Credential } | null

async function fromBearer (services: OAuthServices, token: string): Promise<Resolved> {
  if (token.startsWith(TOKEN_PREFIX.api)) {
    const record = await services.apiTokens.resolve(token)
    return record === null ? null : { user: toAuthUser(record.user, record.scopes.split(' ')), credential: { kind: 'api-token', tokenId: record.id } }
  }
  const access = await services.tokens.verifyAccessToken(token)
  if (access === null) return null
  // Read fresh, so a deleted user or a removed role stops working at once.
  const user = await services.orm.em.fork().findOne(User, { id: access.userId })
  return user === null ? null : { user: toAuthUser(user, access.scopes), credential: { kind: 'access-token' } }
}

async function fromSession (services: OAuthServices, token: string): Promise<Resolved> {
  const session = await services.sessions.resolve(token)
  if (session === null) return null
  return { user: toAuthUser(session.user), credential: { kind: 'session', sessionId: session.id, csrfToken: csrfTokenFor(services.keys, token) } }
}

async function resolve (services: OAuthServices, cookieName: string, request: FastifyRequest): Promise<Resolved> {
  const header = request.headers.authorization
  // A Bearer credential wins over a cookie: browsers never attach it on their own, so it needs no CSRF token.
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    return match?.[1] === undefined ? null : await fromBearer(services, match[1])
  }
  const cookie = request.cookies[cookieName]
  return cookie === undefined ? null : await fromSession(services, cookie)
}

export function installAuthentication (app: FastifyInstance, services: OAuthServices): void {
  const { name } = sessionCookie(app.config)
  app.decorateRequest('user', null)
  app.decorateRequest('credential', null)

  app.addHook('onRequest', async (request) => {
    const resolved = await resolve(services, name, request)
    request.user = resolved?.user ?? null
    request.credential = resolved?.credential ?? null
    if (resolved?.credential.kind === 'session' && !SAFE_METHODS.has(request.method) && request.routeOptions.config.csrfHeader !== false) {
      const sent = request.headers[CSRF_HEADER]
      if (typeof sent !== 'string' || !safeEqual(sent, resolved.credential.csrfToken)) throw new CsrfInvalid()
    }
  })

  app.decorate('requireUser', (options: RequireUserOptions = {}): onRequestAsyncHookHandler => {
    const needsVerified = options.verifiedEmail === true && services.requireEmailVerification
    const scopes = options.scopes ?? []
    return async function requireUser (request) {
      const user = request.user
      if (user === null) throw new Unauthenticated()
      const missing = scopes.find((scope) => !user.scopes.includes(scope))
      if (missing !== undefined) throw new MissingScope(missing)
      if (needsVerified && !user.emailVerified) throw new EmailNotVerified()
    }
  })
}
