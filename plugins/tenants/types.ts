// What the tenants plugin decorates on Fastify, for the plugins that build on it (routing, metrics);
// see README.md.
import type { TenantEvents } from './events.js'
import type { LogShipping } from './log-shipping.js'
import type { TenantService } from './service.js'
import type { TenantStats } from './stats.js'

export interface TenantsApi {
  service: TenantService
  events: TenantEvents
  /** Call on every request or WebSocket message to an instance: it postpones idle stop. Cheap, synchronous. */
  reportActivity: (tenantId: string) => void
  /** Starts an instance that idle stop stopped (never one its owner stopped); resolves false otherwise. */
  wake: (tenantId: string) => Promise<boolean>
  stats: TenantStats
  countByStatus: TenantService['countByStatus']
  /** Memory, CPUs and instances reserved on each worker (by worker id). */
  allocations: TenantService['allocations']
  /** Instances' container output to Loki; present when LOKI_URL is set. */
  logShipping?: LogShipping
  /** The workers' compile caches (compile-cache.ts): `settled()` resolves when the warm-ups under way are done. */
  compileCaches: { settled: () => Promise<void> }
}

declare module 'fastify' {
  interface FastifyInstance {
    tenants: TenantsApi
  }
}
