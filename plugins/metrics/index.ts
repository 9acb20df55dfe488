// The metrics plugin: Prometheus metrics at /metrics (prom-client), for a scraper with the bearer
// token or from an allowed address. Measures HTTP requests and the process itself, and reads the
// other plugins' counters and state when scraped (collectors.ts). Every app has its own registry.
import fp from 'fastify-plugin'
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client'
import { packageInfo } from '../../server/package-info.js'
import type { ServerPlugin } from '../../server/plugins.js'
import { metricsGate } from './access.js'
import { collectDevices, collectTenants, collectWorkers } from './collectors.js'
import { measureRequests } from './http.js'
import { collectTunnels } from './tunnels.js'
import { collectDatabase, collectRouter } from './router-database.js'

export const METRICS_PREFIX = 'openclaw_cloud_'

const metricsPlugin = fp(async function metrics (app) {
  const { config } = app
  const registry = new Registry()
  // Process and Node.js runtime metrics: CPU, memory, event-loop lag, GC, open handles.
  collectDefaultMetrics({ register: registry, prefix: METRICS_PREFIX })
  new Gauge({
    name: `${METRICS_PREFIX}build_info`,
    help: 'Always 1; the labels say which version of the server runs.',
    labelNames: ['version'],
    registers: [registry]
  }).set({ version: packageInfo.version }, 1)
  measureRequests(app, registry)
  const attach = [collectDevices(app, registry), collectTenants(app, registry)]
  collectWorkers(app, registry)
  collectTunnels(app, registry)
  collectRouter(app, registry)
  collectDatabase(app, registry)

  // Plugins load in dependency order, and this one depends on none: their decorations exist by onReady.
  const detach: Array<() => void> = []
  app.addHook('onReady', async () => { for (const subscribe of attach) detach.push(subscribe()) })
  app.addHook('onClose', async () => { for (const unsubscribe of detach) unsubscribe() })

  app.get('/metrics', {
    onRequest: metricsGate({ token: config.metricsToken, allow: config.metricsAllow }),
    schema: {
      tags: ['operations'],
      summary: 'Prometheus metrics (text exposition format); needs METRICS_TOKEN as a bearer token or an address in METRICS_ALLOW'
    }
  }, async (_request, reply) => {
    const body = await registry.metrics()
    return reply.type(registry.contentType).send(body)
  })
}, { name: 'metrics' })

export const metrics: ServerPlugin = {
  plugin: metricsPlugin,
  description: 'Prometheus metrics at /metrics: HTTP requests, the process, the database, instances, workers, the router, boxes and the MQTT broker'
}
