// What the oauth plugin decorates on Fastify: the contract other plugins build on (see README.md).
import type { onRequestAsyncHookHandler } from 'fastify'
import type { AuthorizationServer } from './authorization-server/index.js'
import type { Scope } from './rbac.js'
import type { OAuthServices } from './services.js'

/** The signed-in user of a request, whatever the credential (session cookie, access token, API token). */
export interface AuthUser {
  id: string
  email: string
  roles: string[]
  /** What this request may do: the roles' scopes, narrowed to an API token's scopes when one is used. */
  scopes: Scope[]
  emailVerified: boolean
}

export type Credential =
  | { kind: 'session', sessionId: string, csrfToken: string }
  | { kind: 'access-token' }
  | { kind: 'api-token', tokenId: string }

export interface RequireUserOptions {
  /** Every one of these scopes is needed; the 403 names the first one missing. */
  scopes?: Scope[]
  /** Needs a verified email when `requireEmailVerification` is on. */
  verifiedEmail?: boolean
}

declare module 'fastify' {
  interface FastifyInstance {
    /** A hook for a route's `onRequest` (or `preHandler`): 401 without a user, 403 without a scope. */
    requireUser: (options?: RequireUserOptions) => onRequestAsyncHookHandler
    oauth: OAuthServices
    /** Register OAuth clients, start device authorizations for boxes (README.md). */
    authorizationServer: AuthorizationServer
  }
  interface FastifyContextConfig {
    /**
     * false: the route protects its forms itself (oidc-provider's anti-forgery fields, interaction
     * cookies), so cookie-authenticated posts need no x-csrf-token header.
     */
    csrfHeader?: boolean
  }
  interface FastifyRequest {
    user: AuthUser | null
    credential: Credential | null
  }
}
