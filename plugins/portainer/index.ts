// The portainer plugin: Portainer's Docker environments as workers. Discovery reads Portainer's
// environment list on start and every PORTAINER_SYNC_INTERVAL; the scheduler reaches each
// environment's Docker API through Portainer's proxy with the API key.
import fp from 'fastify-plugin'
import type { ServerPlugin } from '../../server/plugins.js'
import { createPortainerClient } from './client.js'
import { createDiscovery, environmentIdOf } from './discovery.js'

const portainerPlugin = fp(async function portainer (app) {
  const { config, workers } = app
  const log = app.log.child({ plugin: 'portainer' })
  if (config.portainerUrl === undefined || config.portainerApiKey === undefined) {
    log.info('PORTAINER_URL and PORTAINER_API_KEY are not both set: no Portainer environments are used')
    return
  }
  const client = createPortainerClient({ url: config.portainerUrl, apiKey: config.portainerApiKey, timeoutMs: config.workerTimeout })
  const clients = new Map<number, ReturnType<typeof client.docker>>()
  workers.useKind('portainer', (worker) => {
    const id = environmentIdOf(worker)
    let docker = clients.get(id)
    if (docker === undefined) { docker = client.docker(id); clients.set(id, docker) }
    return docker
  })
  const discovery = createDiscovery({ client, workers, log, cpuOvercommit: config.workerCpuOvercommit })

  let timer: NodeJS.Timeout | undefined
  let closed = false
  const loop = (): void => {
    timer = setTimeout(() => {
      discovery.sync().catch((err: unknown) => { log.error({ err }, 'Portainer sync failed') }).finally(() => { if (!closed) loop() })
    }, config.portainerSyncInterval)
    timer.unref()
  }
  // Before the tenants plugin's first sweep (dependency order of onReady hooks).
  app.addHook('onReady', async () => {
    const found = await discovery.sync()
    log.info({ portainer: client.url, workers: found.map((worker) => `${worker.name} (${worker.state})`) }, 'Portainer environments discovered')
    loop()
  })
  app.addHook('onClose', async () => { closed = true; clearTimeout(timer) })
}, { name: 'portainer', dependencies: ['scheduler'] })

export const portainer: ServerPlugin = {
  plugin: portainerPlugin,
  description: 'Portainer environments as workers: discovered from Portainer, Docker calls through its API with an access token'
}
