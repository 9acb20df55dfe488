// Single sign-on for instance hosts: OAuth 2.0 authorization code with PKCE (RFC 6749 §4.1, RFC 7636
// S256). `InstanceAuthorizer` is the seam: this file's implementation is a small authorization
// endpoint on the console origin with one-time codes kept in memory (single server node). The
// oauth plugin's authorization server replaces it by implementing the same interface.
import { createHash, randomBytes } from 'node:crypto'
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
  issueCode: (request: AuthorizationRequest, grant: Grant) => string
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

interface IssuedCode extends AuthorizationRequest { grant: Grant, expiresAt: number }

export function createLocalAuthorizer ({ consoleOrigin, codeTtlMs = 60_000 }: { consoleOrigin: string, codeTtlMs?: number }): LocalAuthorizer {
  const codes = new Map<string, IssuedCode>()
  const sweep = (): void => {
    const now = Date.now()
    for (const [code, issued] of codes) if (issued.expiresAt <= now) codes.delete(code)
  }
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
    issueCode (request, grant) {
      sweep()
      const code = randomBytes(32).toString('base64url')
      codes.set(code, { ...request, grant, expiresAt: Date.now() + codeTtlMs })
      return code
    },
    async redeem (exchange) {
      const issued = codes.get(exchange.code)
      // One use only, whether or not this attempt succeeds (RFC 6749 §4.1.2).
      codes.delete(exchange.code)
      if (issued === undefined || issued.expiresAt <= Date.now()) return null
      if (issued.clientId !== exchange.clientId || issued.redirectUri !== exchange.redirectUri) return null
      if (!PKCE_VERIFIER.test(exchange.codeVerifier) || !safeEqual(pkceChallenge(exchange.codeVerifier), issued.codeChallenge)) return null
      return issued.grant
    }
  }
}
