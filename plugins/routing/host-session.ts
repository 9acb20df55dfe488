// Cookies the router sets on an instance host, and only there (host-only: no Domain attribute, so
// neither the console nor another instance ever receives them). Both are signed with a key derived
// from the server's keys, so checking one costs an HMAC, not a database query.
//   - the host session: who signed in on this host, until when;
//   - the pending sign-in: state, PKCE verifier and where to return, between redirect and callback.
import { createHmac, hkdfSync } from 'node:crypto'
import { stringifySetCookie } from 'cookie'
import { safeEqual } from '../oauth/secrets.js'

export interface HostSession { host: string, userId: string, expiresAt: number }
export interface PendingSignIn { host: string, state: string, verifier: string, returnPath: string, expiresAt: number }

export interface HostCookies {
  sessionName: string
  pendingName: string
  /** Every cookie name of ours: stripped from requests before they go upstream. */
  names: ReadonlySet<string>
  /** A Set-Cookie value: host-only, httpOnly, SameSite=Lax, Secure over https; max age 0 deletes it. */
  setCookie: (name: string, value: string, maxAgeSeconds: number) => string
  sign: (value: HostSession | PendingSignIn) => string
  /** The host session for `host`, or null when missing, forged, expired or for another host. */
  readSession: (cookieValue: string | undefined, host: string) => HostSession | null
  readPending: (cookieValue: string | undefined, host: string) => PendingSignIn | null
}

/** Host sessions kept verified; past this, the oldest is forgotten (and checked again when it returns). */
const VERIFIED_SESSIONS_KEPT = 10_000

/** `__Host-` makes browsers refuse the cookie unless it is Secure, host-only and path=/ (over https). */
export function createHostCookies ({ secret, secure }: { secret: Buffer, secure: boolean }): HostCookies {
  const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'openclaw-cloud routing host cookies', 32))
  const prefix = secure ? '__Host-' : ''
  const sessionName = `${prefix}oc_instance`
  const pendingName = `${prefix}oc_instance_signin`
  const mac = (payload: string): string => createHmac('sha256', key).update(payload).digest('base64url')
  // Every proxied request carries the host session: a value checked once is not checked again
  // (HMAC, decoding), only its host and expiry. Forged values are never kept.
  const verifiedSessions = new Map<string, HostSession>()

  function verify<T extends { host: string, expiresAt: number }> (cookieValue: string | undefined, host: string): T | null {
    if (cookieValue === undefined) return null
    const dot = cookieValue.indexOf('.')
    if (dot <= 0) return null
    const payload = cookieValue.slice(0, dot)
    if (!safeEqual(cookieValue.slice(dot + 1), mac(payload))) return null
    let value: T
    try { value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as T } catch { return null }
    return value.host === host && typeof value.expiresAt === 'number' && value.expiresAt > Date.now() ? value : null
  }

  return {
    sessionName,
    pendingName,
    names: new Set([sessionName, pendingName]),
    setCookie: (name, value, maxAgeSeconds) => stringifySetCookie({ name, value, httpOnly: true, secure, sameSite: 'lax', path: '/', maxAge: maxAgeSeconds }),
    sign (value) {
      const payload = Buffer.from(JSON.stringify(value)).toString('base64url')
      return `${payload}.${mac(payload)}`
    },
    readSession: (cookieValue, host) => {
      const known = cookieValue === undefined ? undefined : verifiedSessions.get(cookieValue)
      if (known !== undefined) return known.host === host && known.expiresAt > Date.now() ? known : null
      const session = verify<HostSession>(cookieValue, host)
      if (session === null || typeof session.userId !== 'string') return null
      if (verifiedSessions.size >= VERIFIED_SESSIONS_KEPT) verifiedSessions.delete(verifiedSessions.keys().next().value!)
      verifiedSessions.set(cookieValue!, session)
      return session
    },
    readPending: (cookieValue, host) => {
      const pending = verify<PendingSignIn>(cookieValue, host)
      return pending !== null && typeof pending.state === 'string' && typeof pending.verifier === 'string' && typeof pending.returnPath === 'string' ? pending : null
    }
  }
}
