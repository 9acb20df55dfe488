// Settings of the tenants plugin (instances and their plans), part of the server's one config schema.
import Type from 'typebox'
import { key } from '../../server/config-key.js'

/** What a plan costs, shown on the create page; plans without one are shown without a price. */
export const PlanPrice = Type.Object({
  amount: Type.Number({ minimum: 0 }),
  currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, e.g. EUR' }),
  period: Type.Union([Type.Literal('month'), Type.Literal('year')])
}, { additionalProperties: false })

export const tenantsConfig = {
  tenantImage: key(Type.String({ minLength: 1, default: 'ghcr.io/openclaw/openclaw:2026.9.6' }), {
    env: 'TENANT_IMAGE', description: 'Gateway image of instances, unless a plan names its own.'
  }),
  tenantPlans: key(Type.Optional(Type.Partial(Type.Record(Type.Union([Type.Literal('free'), Type.Literal('basic'), Type.Literal('pro'), Type.Literal('enterprise')]), Type.Object({
    memory: Type.Optional(Type.Integer({ minimum: 64 * 1024 * 1024 })),
    cpus: Type.Optional(Type.Number({ minimum: 0.01, maximum: 256 })),
    pids: Type.Optional(Type.Integer({ minimum: 16, maximum: 1_000_000 })),
    maxInstances: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
    idleTimeout: Type.Optional(Type.Integer({ minimum: 0 })),
    image: Type.Optional(Type.String({ minLength: 1 })),
    price: Type.Optional(PlanPrice)
  }, { additionalProperties: false })))), {
    env: 'TENANT_PLANS', allowed: 'an object in the config file: { "free"|"basic"|"pro"|"enterprise": { memory (bytes), cpus, pids, maxInstances, idleTimeout (seconds, 0 = never), image, price: { amount, currency (ISO 4217, e.g. "EUR"), period ("month"|"year") } } }',
    description: 'Changes to the built-in plans (free 1 GiB / 0.5 CPU / 1 instance, basic 2 GiB / 1 CPU / 2, pro 4 GiB / 2 CPU / 5, enterprise 8 GiB / 4 CPU / 20); set in the config file.'
  }),
  tenantVolumeGrace: key(Type.Integer({ minimum: 0, maximum: 365 * 86_400, default: 7 * 86_400 }), {
    env: 'TENANT_VOLUME_GRACE', description: 'Seconds a deleted instance\'s state volume is kept before it is removed (`?purge=true` removes it at once).'
  }),
  reconcileInterval: key(Type.Integer({ minimum: 100, maximum: 3_600_000, default: 30_000 }), {
    env: 'RECONCILE_INTERVAL', description: 'Milliseconds between full sweeps that converge every worker to the database (Docker events trigger faster ones).'
  }),
  orphanGrace: key(Type.Integer({ minimum: 0, maximum: 86_400_000, default: 300_000 }), {
    env: 'ORPHAN_GRACE', description: 'Milliseconds a managed container with no instance may live before the reconciler removes it.'
  }),
  tenantStartTimeout: key(Type.Integer({ minimum: 1000, maximum: 3_600_000, default: 180_000 }), {
    env: 'TENANT_START_TIMEOUT', description: 'Milliseconds an instance gets to answer /readyz after its container starts before it is reported failed.'
  })
}
