// Request and response schemas of the tenant routes.
import Type, { type Static } from 'typebox'
import { PLANS, type Tenant } from './entities.js'

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
