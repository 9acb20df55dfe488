// Admin pages' data: users and roles, the audit log (plugins/oauth/routes/admin.ts), workers
// (plugins/scheduler/routes.ts) and server plugins (server/routes.ts).
import type { User } from './auth.js'
import { EndpointMissing, type Offers } from './capabilities.js'
import type { Http } from './http.js'

export const ROLES = ['user', 'admin', 'factory'] as const

export interface AuditEvent {
  id: string
  at: string
  type: string
  userId: string | null
  actorId: string | null
  ip: string | null
  details: Record<string, unknown> | null
}

export interface Worker {
  id: string
  name: string
  kind: string
  endpoint: string
  labels: Record<string, string>
  capacity: { memory: number, cpu: number }
  state: 'active' | 'draining' | 'offline'
  lastHeartbeatAt: string | null
  createdAt: string
}

export interface PluginInfo {
  name: string
  description: string
  dependencies: string[]
}

export interface Admin {
  users: (query: { email?: string, limit?: number, offset?: number }) => Promise<{ users: User[], total: number }>
  setRoles: (userId: string, roles: string[]) => Promise<User>
  audit: (query: { type?: string, limit?: number }) => Promise<AuditEvent[]>
  workers: () => Promise<Worker[]>
  setWorkerState: (id: string, state: 'drain' | 'activate') => Promise<Worker>
  plugins: () => Promise<{ enabled: PluginInfo[], installed: PluginInfo[] }>
}

function query (params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value))
  const text = search.toString()
  return text === '' ? '' : `?${text}`
}

export function createAdmin (http: Http, offers: Offers): Admin {
  return {
    users: (params) => http.get(`/api/admin/users${query(params)}`),
    setRoles: (userId, roles) => http.patch(`/api/admin/users/${encodeURIComponent(userId)}`, { roles }),
    audit: async (params) => (await http.get<{ events: AuditEvent[] }>(`/api/admin/audit${query(params)}`)).events,
    async workers () {
      // Workers belong to the scheduler plugin, which may be off.
      if (!await offers('GET', '/api/admin/workers')) throw new EndpointMissing('GET', '/api/admin/workers')
      return await http.get('/api/admin/workers')
    },
    setWorkerState: (id, state) => http.post(`/api/admin/workers/${encodeURIComponent(id)}/${state}`),
    plugins: () => http.get('/api/admin/plugins')
  }
}
