// Plans: the built-in defaults, changed by `tenantPlans` in the config.
import type { Static } from 'typebox'
import type { Config } from '../../server/config.js'
import type { PlanPrice } from './config.js'
import type { PlanName } from './entities.js'

export interface Plan {
  name: PlanName
  /** Bytes; also the memory reserved on the worker. */
  memory: number
  cpus: number
  pids: number
  maxInstances: number
  /** Seconds without activity before the instance is stopped; 0 never. */
  idleTimeout: number
  image: string
  /** Unset: the installation charges nothing for it, or says nothing about it. */
  price?: Static<typeof PlanPrice>
}

const GIB = 1024 ** 3

// One OpenClaw gateway needs ~700 MB, so the smallest plan gets 1 GiB.
const DEFAULTS: Record<PlanName, Omit<Plan, 'name' | 'image'>> = {
  free: { memory: GIB, cpus: 0.5, pids: 256, maxInstances: 1, idleTimeout: 30 * 60 },
  basic: { memory: 2 * GIB, cpus: 1, pids: 512, maxInstances: 2, idleTimeout: 2 * 3600 },
  pro: { memory: 4 * GIB, cpus: 2, pids: 1024, maxInstances: 5, idleTimeout: 24 * 3600 },
  enterprise: { memory: 8 * GIB, cpus: 4, pids: 2048, maxInstances: 20, idleTimeout: 0 }
}

export type Plans = Record<PlanName, Plan>

export function resolvePlans (config: Pick<Config, 'tenantPlans' | 'tenantImage'>): Plans {
  const plans = {} as Plans
  for (const name of Object.keys(DEFAULTS) as PlanName[]) {
    const override = config.tenantPlans?.[name] ?? {}
    plans[name] = { name, ...DEFAULTS[name], image: config.tenantImage, ...override }
  }
  return plans
}

