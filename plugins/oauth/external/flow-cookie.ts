// What a browser carries from the start of an external sign-in to its callback: the `state` it must
// come back with (RFC 6749 §10.12, against login CSRF), the PKCE verifier and OIDC nonce, where to
// go afterwards, and, when linking, who asked. One short-lived httpOnly cookie scoped to /api/auth/,
// HMAC-signed with the server's key so it cannot be forged or edited.
import type { CookieSerializeOptions } from '@fastify/cookie'
import { createHmac, randomBytes } from 'node:crypto'
import type { ServerKeys } from '../secrets.js'
import { safeEqual } from '../secrets.js'

export interface PendingFlow {
  provider: string
  state: string
  codeVerifier?: string
  nonce?: string
  variant?: string
  returnTo?: string
  /** Set when a signed-in user links this provider to their account. */
  linkUserId?: string
  expiresAt: number
}

/** Ten minutes to approve at the provider. */
const FLOW_LIFETIME_MS = 10 * 60 * 1000

export function newState (): string {
  return randomBytes(24).toString('base64url')
}

export function flowCookie (publicUrl: string): { name: string, options: CookieSerializeOptions } {
  const secure = publicUrl.startsWith('https:')
  // SameSite=Lax: the provider's redirect back is a top-level GET navigation, which Lax cookies go with.
  return { name: 'oc_external_flow', options: { httpOnly: true, sameSite: 'lax', secure, path: '/api/auth/', maxAge: FLOW_LIFETIME_MS / 1000 } }
}

const sign = (keys: ServerKeys, payload: string): string =>
  createHmac('sha256', keys.csrfSecret).update(`external-flow\0${payload}`).digest('base64url')

export function sealFlow (keys: ServerKeys, flow: Omit<PendingFlow, 'expiresAt'>): string {
  const payload = Buffer.from(JSON.stringify({ ...flow, expiresAt: Date.now() + FLOW_LIFETIME_MS })).toString('base64url')
  return `${payload}.${sign(keys, payload)}`
}

/** The flow in the cookie, or undefined when it is missing, forged, edited or expired. */
export function openFlow (keys: ServerKeys, sealed: string | undefined): PendingFlow | undefined {
  if (sealed === undefined) return undefined
  const [payload, signature] = sealed.split('.')
  if (payload === undefined || signature === undefined || !safeEqual(signature, sign(keys, payload))) return undefined
  const flow = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as PendingFlow
  return flow.expiresAt > Date.now() ? flow : undefined
}
