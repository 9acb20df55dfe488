// The tenants plugin: users' OpenClaw instances as hardened containers on the scheduler's workers,
// converged to the database by the reconciler.
import fp from 'fastify-plugin'
import { instanceUrl } from '../../server/config.js'
import { lokiEndpoint } from '../../server/logger.js'
import type { ServerPlugin } from '../../server/plugins.js'
import { createCompileCaches } from './compile-cache.js'
import { tenantsEntities } from './entities.js'
import { createTenantEvents } from './events.js'
import { createIdleStopper } from './idle.js'
import { installationId } from './installation.js'
import { createLogShipping } from './log-shipping.js'
import { resolvePlans } from './plans.js'
import { createReconciler } from './reconciler.js'
import { tenantRoutes } from './routes.js'
import { createTenantService } from './service.js'
import { createTenantStats } from './stats.js'
import './types.js'

const tenantsPlugin = fp(async function tenants (app) {
  const { config, orm, workers } = app
  const log = app.log.child({ plugin: 'tenants' })
  const plans = resolvePlans(config)
  const stats = createTenantStats()
  const events = createTenantEvents(stats)
  const urlOf = (slug: string): string => instanceUrl(config, slug)
  const installation = installationId(config)
  const compileCaches = createCompileCaches({ installation, log })
  const reconciler = createReconciler({
    orm, workers, plans, events, log, urlOf,
    sweepIntervalMs: config.reconcileInterval,
    orphanGraceMs: config.orphanGrace,
    startTimeoutMs: config.tenantStartTimeout,
    workerTimeoutMs: config.workerTimeout,
    installation,
    stats,
    compileCaches
  })
  const service = createTenantService({ orm, workers, plans, events, reconciler, dockerSocket: config.dockerSocket, volumeGraceSeconds: config.tenantVolumeGrace })
  const idle = createIdleStopper({ orm, plans, reconciler, log })
  // Set on ready: the workers' compile caches being prepared.
  let preparingCaches: Promise<void> = Promise.resolve()
  const logShipping = config.lokiUrl === undefined ? undefined : createLogShipping({ orm, workers, events, loki: lokiEndpoint(config.lokiUrl), environment: config.lokiEnvironment, log })
  app.decorate('tenants', {
    service,
    events,
    reportActivity: idle.reportActivity,
    wake: idle.wake,
    stats,
    countByStatus: service.countByStatus,
    allocations: service.allocations,
    logShipping,
    compileCaches: { settled: async () => { await preparingCaches; await compileCaches.settled() } }
  })
  await app.register(tenantRoutes({ service, events, workers, plans, urlOf }))

  // After the scheduler's onReady (dependency order), so the local worker is registered first.
  let idleTimer: NodeJS.Timeout | undefined
  let idleCheck: Promise<unknown> = Promise.resolve()
  app.addHook('onReady', async () => {
    reconciler.start()
    // Each worker prepares the compile cache of every plan's image it already has, before the first
    // create asks (an image it lacks is pulled, and its cache prepared, by that create).
    preparingCaches = (async () => {
      const images = [...new Set(Object.values(plans).map((plan) => plan.image))]
      for (const worker of (await workers.list()).filter((worker) => worker.endpoint !== '')) {
        const docker = workers.docker(worker)
        for (const image of images) {
          if (await docker.getImage(image).inspect().then(() => true, () => false)) await compileCaches.ensure(docker, worker.id, image)
        }
      }
    })().catch((err: unknown) => { log.warn({ err }, 'cannot prepare compile caches') })
    logShipping?.start()
    let checking = false
    idleTimer = setInterval(() => {
      if (checking) return // a slow check is still running; never two at once
      checking = true
      idleCheck = idle.check()
        .catch((err: unknown) => { log.error({ err }, 'idle check failed') })
        .finally(() => { checking = false })
    }, config.reconcileInterval)
    idleTimer.unref()
  })
  app.addHook('onClose', async () => {
    clearInterval(idleTimer)
    await idleCheck
    await idle.flushActivity()
    await reconciler.close()
    await preparingCaches
    await compileCaches.close()
    await logShipping?.close()
  })
}, { name: 'tenants', dependencies: ['oauth', 'scheduler'] })

export const tenants: ServerPlugin = {
  plugin: tenantsPlugin,
  description: 'OpenClaw instances: hardened containers per user, plans and quotas, a self-healing reconciler',
  entities: tenantsEntities
}
