// Instances (plugins/tenants/routes.ts): list, create, lifecycle actions, the progress stream, the
// log tail and resource figures.
import { EndpointMissing, type Offers } from './capabilities.js'
import type { Http } from './http.js'

/** What the reconciler last saw (plugins/tenants/entities.ts ObservedStatus). */
export type TenantStatus = 'scheduled' | 'creating' | 'starting' | 'running' | 'stopped' | 'failed' | 'unreachable' | 'deleting' | 'deleted'
export type TenantAction = 'start' | 'stop' | 'restart'

export interface Tenant {
  id: string
  slug: string
  url: string
  plan: string
  desired: 'running' | 'stopped' | 'deleted'
  status: TenantStatus
  statusReason: string | null
  workerId: string
  createdAt: string
  volumeRemoveAt: string | null
}

export interface TenantStats {
  status: string
  uptimeSeconds: number
  cpuPercent: number
  memory: { usage: number, limit: number }
  network: { rxBytes: number, txBytes: number }
  pids: number
}

/** Steps of the progress stream in the order they happen (plugins/tenants/events.ts). */
export const PROGRESS_STEPS = ['scheduled', 'image-ready', 'container-created', 'starting', 'healthy', 'routable'] as const
export type ProgressType = typeof PROGRESS_STEPS[number] | 'stopped' | 'deleted' | 'failed'
export const FINAL_PROGRESS: ReadonlySet<ProgressType> = new Set(['routable', 'failed', 'stopped', 'deleted'])

export interface ProgressEvent {
  type: ProgressType
  at: string
  reason?: string
}

/** What a plan costs, when the installation sets a price. */
export interface PlanPrice {
  amount: number
  /** ISO 4217, e.g. EUR. */
  currency: string
  period: 'month' | 'year'
}

/** A plan an instance can be created on (GET /api/plans). */
export interface Plan {
  name: string
  /** Bytes. */
  memory: number
  cpus: number
  pids: number
  maxInstances: number
  /** Seconds without activity before the instance stops; 0 = never. */
  idleTimeout: number
  price: PlanPrice | null
}

export interface ProgressHandlers {
  onEvent: (event: ProgressEvent) => void
  /** The stream broke before a final event (network, server restart). */
  onError: () => void
}

export interface Tenants {
  plans: () => Promise<Plan[]>
  list: () => Promise<Tenant[]>
  get: (id: string) => Promise<Tenant>
  create: (input: { name?: string, plan: string }) => Promise<Tenant>
  act: (id: string, action: TenantAction) => Promise<Tenant>
  remove: (id: string, purge: boolean) => Promise<Tenant>
  stats: (id: string) => Promise<TenantStats>
  /** The gateway's output; `follow` keeps the stream open for new lines. */
  logs: (id: string, options: { tail: number, follow: boolean, signal: AbortSignal }) => Promise<ReadableStream<Uint8Array>>
  /** Follows the progress stream until a final event; returns the function that stops following. */
  watchProgress: (id: string, handlers: ProgressHandlers) => () => void
}

const path = (id: string, rest = ''): string => `/api/tenants/${encodeURIComponent(id)}${rest}`

export function createTenants (http: Http, offers: Offers, openEventSource: (url: string) => EventSource = (url) => new EventSource(url)): Tenants {
  return {
    plans: async () => (await http.get<{ plans: Plan[] }>('/api/plans')).plans,
    async list () {
      // Instances belong to the tenants plugin, which may be off.
      if (!await offers('GET', '/api/tenants')) throw new EndpointMissing('GET', '/api/tenants')
      return await http.get<Tenant[]>('/api/tenants')
    },
    get: (id) => http.get<Tenant>(path(id)),
    create: (input) => http.post<Tenant>('/api/tenants', input),
    act: (id, action) => http.post<Tenant>(path(id, `/${action}`)),
    remove: (id, purge) => http.delete<Tenant>(path(id, purge ? '?purge=true' : '')),
    stats: (id) => http.get<TenantStats>(path(id, '/stats')),
    logs: (id, { tail, follow, signal }) => http.stream(path(id, `/logs?tail=${tail}&follow=${follow}`), signal),
    watchProgress (id, { onEvent, onError }) {
      const source = openEventSource(path(id, '/events'))
      let finished = false
      const stop = (): void => { finished = true; source.close() }
      const receive = (message: MessageEvent<string>): void => {
        const event = JSON.parse(message.data) as ProgressEvent
        // Nothing follows a final event (the server answers a reconnect after it with 204).
        if (FINAL_PROGRESS.has(event.type)) stop()
        onEvent(event)
      }
      for (const type of [...PROGRESS_STEPS, 'stopped', 'deleted', 'failed']) source.addEventListener(type, receive)
      source.onerror = () => {
        if (finished) return
        // EventSource retries by itself while CONNECTING; CLOSED means it gave up.
        if (source.readyState === EventSource.CLOSED) { stop(); onError() }
      }
      return stop
    }
  }
}
