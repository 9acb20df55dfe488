// The scheduler plugin: workers (Docker hosts) with keys, heartbeats and drain, and placement of new
// tenants. The local Docker socket, when it answers, is worker `local`.
import fp from 'fastify-plugin'
import type { ServerPlugin } from '../../server/plugins.js'
import { schedulerEntities } from './entities.js'
import { adminWorkerRoutes, workerAgentRoutes } from './routes.js'
import { createWorkers } from './workers.js'
import './types.js'

const schedulerPlugin = fp(async function scheduler (app) {
  const { config, orm } = app
  const log = app.log.child({ plugin: 'scheduler' })
  const workers = createWorkers({
    orm,
    log,
    strategy: config.schedulingStrategy,
    spreadLabel: config.schedulingSpreadLabel,
    cpuOvercommit: config.workerCpuOvercommit,
    heartbeatTimeoutMs: config.workerHeartbeatTimeout
  })
  app.decorate('workers', workers)
  await app.register(adminWorkerRoutes(workers))
  await app.register(workerAgentRoutes(workers))

  // The local worker heartbeats through this loop; remote ones that fall silent go offline.
  const tick = async (): Promise<void> => {
    await workers.ensureLocal(config.dockerSocket)
    const silent = await workers.markSilentOffline()
    if (silent.length > 0) log.warn({ workers: silent }, 'workers missed their heartbeats; marked offline')
  }
  let timer: NodeJS.Timeout | undefined
  app.addHook('onReady', async () => {
    await tick()
    timer = setInterval(() => { tick().catch((err: unknown) => { log.error({ err }, 'worker check failed') }) }, Math.max(1000, config.workerHeartbeatTimeout / 3))
    timer.unref()
  })
  app.addHook('onClose', async () => { clearInterval(timer) })
}, { name: 'scheduler', dependencies: ['oauth'] })

export const scheduler: ServerPlugin = {
  plugin: schedulerPlugin,
  description: 'Workers (Docker hosts): registration with worker keys, heartbeats, drain, and placement of instances',
  entities: schedulerEntities
}
