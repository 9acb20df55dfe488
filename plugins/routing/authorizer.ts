// Single sign-on for instance hosts: OAuth 2.0 authorization code with PKCE (RFC 6749 §4.1, RFC 7636
// S256). `InstanceAuthorizer` is the seam: this file's implementation is a small authorization
// endpoint on the console origin. Its one-time codes are the oauth plugin's one-time tokens (stored
// hashed in the shared database, deleted on use), so the callback may reach any server node.
import type { MikroORM } from '@mikro-orm/core'
import { createHash, randomBytes } from 'node:crypto'
import { User } from '../oauth/entities.js'
import { consumeOneTimeToken, issueOneTimeToken } from '../oauth/one-time-tokens.js'
import { safeEqual } from '../oauth/secrets.js'

export interface AuthorizationRequest {
  /** The instance origin asking, e.g. `https://alice.apps.example.com`: the OAuth client. */
  clientId: string
  redirectUri: string
  state: string
  codeChallenge: string
}

export interface CodeExchange {
  code: string
  clientId: string
  redirectUri: string
  codeVerifier: string
}

/** Who signed in, as the authorization server vouches for it. */
export interface Grant { userId: string }

export interface InstanceAuthorizer {
  /** Where the browser goes (console origin) to sign in and come back with a code. */
  authorizationUrl: (request: AuthorizationRequest) => string
  /** Server side, from the callback: the grant for a valid, unused, unexpired code; null otherwise. */
  redeem: (exchange: CodeExchange) => Promise<Grant | null>
}

/** The local authorization endpoint also issues codes, after the console has checked the user. */
export interface LocalAuthorizer extends InstanceAuthorizer {
  issueCode: (request: AuthorizationRequest, grant: Grant) => Promise<string>
}

export const AUTHORIZE_PATH = '/api/routing/authorize'
export const CALLBACK_PATH = '/_openclaw/callback'
/** RFC 7636 §4.1: 43-128 characters of [A-Z a-z 0-9 - . _ ~]. */
export const PKCE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/
/** A S256 challenge is an unpadded base64url SHA-256: 43 characters. */
export const PKCE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/

export function pkceChallenge (verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url')
}

export function newPkceVerifier (): string {
  return randomBytes(32).toString('base64url')
}

/** What a code is bound to (RFC 6749 §4.1.3: client and redirect URI; RFC 7636 §4.6: the challenge), hashed. */
function codeBinding (clientId: string, redirectUri: string, codeChallenge: string): string {
  return createHash('sha256').update(JSON.stringify([clientId, redirectUri, codeChallenge])).digest('hex')
}

export function createLocalAuthorizer ({ consoleOrigin, orm, codeTtlMs = 60_000 }: { consoleOrigin: string, orm: MikroORM, codeTtlMs?: number }): LocalAuthorizer {
  return {
    authorizationUrl (request) {
      const url = new URL(AUTHORIZE_PATH, consoleOrigin)
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: request.clientId,
        redirect_uri: request.redirectUri,
        state: request.state,
        code_challenge: request.codeChallenge,
        code_challenge_method: 'S256'
      }).toString()
      return url.toString()
    },
    async issueCode (request, grant) {
      const em = orm.em.fork()
      return await issueOneTimeToken(em, 'instance-sign-in', em.getReference(User, grant.userId), codeTtlMs, codeBinding(request.clientId, request.redirectUri, request.codeChallenge))
    },
    async redeem (exchange) {
      if (exchange.code === '') return null
      // One use only, whether or not this attempt succeeds (RFC 6749 §4.1.2): the row is deleted first.
      const issued = await consumeOneTimeToken(orm.em.fork(), 'instance-sign-in', exchange.code)
      if (issued?.user == null || issued.binding == null || !PKCE_VERIFIER.test(exchange.codeVerifier)) return null
      if (!safeEqual(codeBinding(exchange.clientId, exchange.redirectUri, pkceChallenge(exchange.codeVerifier)), issued.binding)) return null
      return { userId: issued.user.id }
    }
  }
}
