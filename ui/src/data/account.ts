// The signed-in user's sessions and personal API tokens (plugins/oauth/routes/account.ts).
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

export interface Account {
  sessions: () => Promise<Session[]>
  revokeSession: (id: string) => Promise<void>
  tokens: () => Promise<ApiToken[]>
  /** The answer carries the token's value; it is shown this once. */
  createToken: (input: { name: string, scopes: string[], expiresInDays: number }) => Promise<ApiToken & { token: string }>
  revokeToken: (id: string) => Promise<void>
}

export function createAccount (http: Http): Account {
  return {
    sessions: async () => (await http.get<{ sessions: Session[] }>('/api/sessions')).sessions,
    revokeSession: (id) => http.delete(`/api/sessions/${encodeURIComponent(id)}`),
    tokens: async () => (await http.get<{ tokens: ApiToken[] }>('/api/tokens')).tokens,
    createToken: (input) => http.post('/api/tokens', input),
    revokeToken: (id) => http.delete(`/api/tokens/${encodeURIComponent(id)}`)
  }
}
