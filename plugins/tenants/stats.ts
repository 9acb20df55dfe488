// What the tenants plugin counts for /metrics: reconcile steps run and failed (by step kind), and
// how long instances took from the request (scheduled / starting) to routable.
import { EventEmitter } from 'node:events'
import type { Step } from './planner.js'

type StepKind = Step['kind']

export interface TenantStats {
  reconcileSteps: Partial<Record<StepKind, number>>
  reconcileFailures: Partial<Record<StepKind, number>>
  /** Emits `spawned` with the seconds from request to routable. */
  events: EventEmitter<{ spawned: [number] }>
}

export function createTenantStats (): TenantStats {
  return { reconcileSteps: {}, reconcileFailures: {}, events: new EventEmitter() }
}
