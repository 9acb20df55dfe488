// Metrics of the router (proxied requests and WebSocket upgrades by outcome) and of the database
// (failed queries), read when scraped from the plain counts the routing plugin and the core keep.
import type { FastifyInstance } from 'fastify'
import { Counter, type Registry } from 'prom-client'

/** Label values use underscores, as Prometheus label values conventionally do. */
const outcomeLabel = (outcome: string): string => outcome.replace('-', '_')

export function collectRouter (app: FastifyInstance, registry: Registry): void {
  new Counter({
    name: 'openclaw_cloud_proxy_requests_total',
    help: 'Requests and WebSocket upgrades the router proxied to instances, by protocol (http, websocket) and outcome: forwarded (the instance answered), unreachable (connection failed, 502), timeout (no answer in ROUTING_UPSTREAM_TIMEOUT, 504), client_gone (the client left first), too_large (a body without a declared length went over ROUTING_BODY_LIMIT, 413).',
    labelNames: ['protocol', 'outcome'],
    registers: [registry],
    collect () {
      this.reset()
      if (!app.hasDecorator('instanceRouter')) return
      const { proxied } = app.instanceRouter
      for (const protocol of ['http', 'websocket'] as const) {
        for (const [outcome, count] of Object.entries(proxied[protocol])) this.inc({ protocol, outcome: outcomeLabel(outcome) }, count)
      }
    }
  })
  new Counter({
    name: 'openclaw_cloud_proxy_upstream_errors_total',
    help: 'Proxied requests and upgrades that failed at the instance, by reason (unreachable, timeout): the 502 and 504 pages users saw.',
    labelNames: ['reason'],
    registers: [registry],
    collect () {
      this.reset()
      if (!app.hasDecorator('instanceRouter')) return
      const { proxied } = app.instanceRouter
      for (const reason of ['unreachable', 'timeout'] as const) this.inc({ reason }, proxied.http[reason] + proxied.websocket[reason])
    }
  })
}

export function collectDatabase (app: FastifyInstance, registry: Registry): void {
  new Counter({
    name: 'openclaw_cloud_db_query_errors_total',
    help: 'Database queries that failed (constraint violations, lost connections, timeouts), on this server node.',
    registers: [registry],
    collect () { this.reset(); this.inc(app.databaseStats.queryErrors) }
  })
}
