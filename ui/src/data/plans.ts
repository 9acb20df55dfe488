// The plans a user can choose. The server has no plans endpoint yet, so these are its built-in
// defaults (plugins/tenants/plans.ts); an installation's TENANT_PLANS overrides are not visible here.
export interface PlanSummary {
  name: 'free' | 'basic' | 'pro' | 'enterprise'
  memoryBytes: number
  cpus: number
  maxInstances: number
  /** Seconds without activity before the instance stops; 0 = never. */
  idleTimeout: number
}

const GIB = 1024 ** 3

export const PLANS: readonly PlanSummary[] = [
  { name: 'free', memoryBytes: GIB, cpus: 0.5, maxInstances: 1, idleTimeout: 30 * 60 },
  { name: 'basic', memoryBytes: 2 * GIB, cpus: 1, maxInstances: 2, idleTimeout: 2 * 3600 },
  { name: 'pro', memoryBytes: 4 * GIB, cpus: 2, maxInstances: 5, idleTimeout: 24 * 3600 },
  { name: 'enterprise', memoryBytes: 8 * GIB, cpus: 4, maxInstances: 20, idleTimeout: 0 }
]
