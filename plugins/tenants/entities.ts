// The tenants plugin's table: one row per instance, holding what the user asked for (desired) and
// what the reconciler last saw (observed). Users are shown the observed status, never a guess.
import { EntitySchema } from '@mikro-orm/core'

export const PLANS = ['free', 'basic', 'pro', 'enterprise'] as const
export type PlanName = typeof PLANS[number]

export type DesiredState = 'running' | 'stopped' | 'deleted'
/**
 * What the reconciler saw: `scheduled` (placed, nothing created yet), `creating`, `starting`,
 * `running` (answers /readyz and is routable), `stopped`, `failed` (see statusReason),
 * `unreachable` (its worker does not answer), `deleting`, `deleted` (volume may still be kept).
 */
export type ObservedStatus = 'scheduled' | 'creating' | 'starting' | 'running' | 'stopped' | 'failed' | 'unreachable' | 'deleting' | 'deleted'

export class Tenant {
  id!: string
  slug!: string
  ownerId!: string
  ownerEmail!: string
  plan!: PlanName
  workerId!: string
  desired: DesiredState = 'running'
  status: ObservedStatus = 'scheduled'
  statusReason?: string | null
  /** Where the router reaches the gateway (`http://<ip>:18789`) once it is routable. */
  upstream?: string | null
  /** Set by DELETE: when the state volume goes (now for `?purge=true`). Null once removed. */
  volumeRemoveAt?: Date | null
  /** Last request or WebSocket the router reported (or the last start); idle stop counts from it. */
  lastActivityAt?: Date | null
  /** Set when the reconciler stopped the instance for idleness; a request may wake it. Null otherwise. */
  idleStoppedAt?: Date | null
  createdAt: Date = new Date()
  updatedAt: Date = new Date()
  deletedAt?: Date | null
}

export const TenantSchema = new EntitySchema<Tenant>({
  class: Tenant,
  tableName: 'tenants',
  properties: {
    id: { type: 'string', primary: true, length: 36 },
    slug: { type: 'string', length: 63, unique: true },
    ownerId: { type: 'string', length: 64, index: true },
    ownerEmail: { type: 'string', length: 320 },
    plan: { type: 'string', length: 16 },
    workerId: { type: 'string', length: 64, index: true },
    desired: { type: 'string', length: 16 },
    status: { type: 'string', length: 16 },
    statusReason: { type: 'text', nullable: true },
    upstream: { type: 'string', length: 255, nullable: true },
    volumeRemoveAt: { type: 'datetime', nullable: true },
    lastActivityAt: { type: 'datetime', nullable: true },
    idleStoppedAt: { type: 'datetime', nullable: true },
    createdAt: { type: 'datetime' },
    updatedAt: { type: 'datetime', onUpdate: () => new Date() },
    deletedAt: { type: 'datetime', nullable: true }
  }
})

export const tenantsEntities = [TenantSchema]
