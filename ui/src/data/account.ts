// The signed-in user's sessions, personal API tokens (plugins/oauth/routes/account.ts) and linked
// sign-in identities (plugins/oauth/routes/external.ts).
import type { Http } from './http.js'

export interface Session {
  id: string
  current: boolean
  createdAt: string
  lastSeenAt: string
  expiresAt: string
  userAgent: string | null
  ip: string | null
}

export interface ApiToken {
  id: string
  name: string
  scopes: string[]
  createdAt: string
  expiresAt: string
  lastUsedAt: string | null
}

/** An account at GitHub, Google, WeChat or an OIDC provider that signs in as this user. */
export interface LinkedIdentity {
  id: string
  provider: string
  providerName: string
  email: string | null
  linkedAt: string
  /** False for the last way to sign in (no password, no other identity). */
  canUnlink: boolean
}

export interface Account {
  sessions: () => Promise<Session[]>
  revokeSession: (id: string) => Promise<void>
  tokens: () => Promise<ApiToken[]>
  /** The answer carries the token's value; it is shown this once. */
  createToken: (input: { name: string, scopes: string[], expiresInDays: number }) => Promise<ApiToken & { token: string }>
  revokeToken: (id: string) => Promise<void>
  identities: () => Promise<LinkedIdentity[]>
  unlinkIdentity: (id: string) => Promise<void>
}

export function createAccount (http: Http): Account {
  return {
    sessions: async () => (await http.get<{ sessions: Session[] }>('/api/sessions')).sessions,
    revokeSession: (id) => http.delete(`/api/sessions/${encodeURIComponent(id)}`),
    tokens: async () => (await http.get<{ tokens: ApiToken[] }>('/api/tokens')).tokens,
    createToken: (input) => http.post('/api/tokens', input),
    revokeToken: (id) => http.delete(`/api/tokens/${encodeURIComponent(id)}`),
    identities: async () => (await http.get<{ identities: LinkedIdentity[] }>('/api/me/identities')).identities,
    unlinkIdentity: (id) => http.delete(`/api/me/identities/${encodeURIComponent(id)}`)
  }
}
