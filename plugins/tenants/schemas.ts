// Request and response schemas of the tenant routes.
import Type, { type Static } from 'typebox'
import { PlanPrice } from './config.js'
import { PLANS, type Tenant } from './entities.js'
import type { Plan } from './plans.js'

export const TenantView = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  url: Type.String(),
  plan: Type.String(),
  desired: Type.String({ description: 'What was asked for: running, stopped or deleted' }),
  status: Type.String({ description: 'What was last observed on the worker' }),
  statusReason: Type.Union([Type.String(), Type.Null()]),
  workerId: Type.String(),
  createdAt: Type.String(),
  volumeRemoveAt: Type.Union([Type.String(), Type.Null()], { description: 'When a deleted instance\'s state volume goes' }),
  idleStoppedAt: Type.Union([Type.String(), Type.Null()], { description: 'When it was stopped for idleness (a request wakes it); null otherwise' })
})

export function viewTenant (tenant: Tenant, url: string): Static<typeof TenantView> {
  return {
    id: tenant.id,
    slug: tenant.slug,
    url,
    plan: tenant.plan,
    desired: tenant.desired,
    status: tenant.status,
    statusReason: tenant.statusReason ?? null,
    workerId: tenant.workerId,
    createdAt: tenant.createdAt.toISOString(),
    volumeRemoveAt: tenant.volumeRemoveAt?.toISOString() ?? null,
    idleStoppedAt: tenant.idleStoppedAt?.toISOString() ?? null
  }
}

export const NewTenantBody = Type.Object({
  name: Type.Optional(Type.String({ description: 'DNS-safe name; the instance lives at <name>.<apps-domain>. Default: tenant-xxxx' })),
  plan: Type.Optional(Type.Union(PLANS.map((plan) => Type.Literal(plan)), { default: 'free' }))
}, { additionalProperties: false })

export const TenantParams = Type.Object({ id: Type.String() })
export const DeleteQuery = Type.Object({ purge: Type.Optional(Type.Boolean({ default: false })) })
export const LogsQuery = Type.Object({
  tail: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, default: 200 })),
  follow: Type.Optional(Type.Boolean({ default: false }))
})

export const StatsView = Type.Object({
  status: Type.String(),
  uptimeSeconds: Type.Integer(),
  cpuPercent: Type.Number(),
  memory: Type.Object({ usage: Type.Integer(), limit: Type.Integer() }),
  network: Type.Object({ rxBytes: Type.Integer(), txBytes: Type.Integer() }),
  pids: Type.Integer()
})

export const PlanView = Type.Object({
  name: Type.String({ description: `One of ${PLANS.join(', ')}` }),
  memory: Type.Integer({ description: 'Bytes' }),
  cpus: Type.Number(),
  pids: Type.Integer(),
  maxInstances: Type.Integer({ description: 'Instances one user may have on this plan' }),
  idleTimeout: Type.Integer({ description: 'Seconds without activity before the instance stops; 0 = never' }),
  price: Type.Union([PlanPrice, Type.Null()], { description: 'null when the installation sets no price' })
})

/** A plan as users see it: limits and price, not the image it runs. */
export function viewPlan ({ name, memory, cpus, pids, maxInstances, idleTimeout, price }: Plan): Static<typeof PlanView> {
  return { name, memory, cpus, pids, maxInstances, idleTimeout, price: price ?? null }
}
