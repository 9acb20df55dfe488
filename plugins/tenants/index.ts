// The tenants plugin: users' OpenClaw instances as hardened containers on the scheduler's workers,
// converged to the database by the reconciler.
import fp from 'fastify-plugin'
import { instanceUrl } from '../../server/config.js'
import type { ServerPlugin } from '../../server/plugins.js'
import { tenantsEntities } from './entities.js'
import { createTenantEvents, type TenantEvents } from './events.js'
import { installationId } from './installation.js'
import { resolvePlans } from './plans.js'
import { createReconciler } from './reconciler.js'
import { tenantRoutes } from './routes.js'
import { createTenantService, type TenantService } from './service.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** For plugins that build on instances (the router): the service and the progress events. */
    tenants: { service: TenantService, events: TenantEvents }
  }
}

const tenantsPlugin = fp(async function tenants (app) {
  const { config, orm, workers } = app
  const log = app.log.child({ plugin: 'tenants' })
  const plans = resolvePlans(config)
  const events = createTenantEvents()
  const urlOf = (slug: string): string => instanceUrl(config, slug)
  const reconciler = createReconciler({
    orm, workers, plans, events, log, urlOf,
    sweepIntervalMs: config.reconcileInterval,
    orphanGraceMs: config.orphanGrace,
    startTimeoutMs: config.tenantStartTimeout,
    installation: installationId(config)
  })
  const service = createTenantService({ orm, workers, plans, events, reconciler, dockerSocket: config.dockerSocket, volumeGraceSeconds: config.tenantVolumeGrace })
  app.decorate('tenants', { service, events })
  await app.register(tenantRoutes({ service, events, workers, urlOf }))

  // After the scheduler's onReady (dependency order), so the local worker is registered first.
  app.addHook('onReady', async () => { reconciler.start() })
  app.addHook('onClose', async () => { await reconciler.close() })
}, { name: 'tenants', dependencies: ['oauth', 'scheduler'] })

export const tenants: ServerPlugin = {
  plugin: tenantsPlugin,
  description: 'OpenClaw instances: hardened containers per user, plans and quotas, a self-healing reconciler',
  entities: tenantsEntities
}
