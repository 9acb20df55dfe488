// What the tenants plugin decorates on Fastify, for the plugins that come after it (metrics).
import type { TenantService } from './service.js'
import type { TenantStats } from './stats.js'

export interface TenantsApi {
  stats: TenantStats
  countByStatus: TenantService['countByStatus']
  /** Memory, CPUs and instances reserved on each worker (by worker id). */
  allocations: TenantService['allocations']
}

declare module 'fastify' {
  interface FastifyInstance {
    tenants: TenantsApi
  }
}
