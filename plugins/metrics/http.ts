// Duration of every HTTP request by route pattern, method and status code. The route pattern
// (`/api/tenants/:id`), never the raw URL, keeps the number of series bounded.
import type { FastifyInstance } from 'fastify'
import { Histogram, type Registry } from 'prom-client'

/** Requests that match no route share one label value. */
export const UNMATCHED_ROUTE = 'unmatched'

export function measureRequests (app: FastifyInstance, registry: Registry): void {
  const duration = new Histogram({
    name: 'openclaw_cloud_http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to sending its response, by route pattern, method and status code.',
    labelNames: ['route', 'method', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry]
  })
  app.addHook('onResponse', async (request, reply) => {
    duration.observe({ route: request.routeOptions.url ?? UNMATCHED_ROUTE, method: request.method, status_code: reply.statusCode }, reply.elapsedTime / 1000)
  })
}
