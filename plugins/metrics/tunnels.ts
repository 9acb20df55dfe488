// Box tunnel metrics, read from the routing plugin's plain counters when Prometheus scrapes. Per
// server node and without per-box labels: a fleet of boxes must not become a fleet of series.
import type { FastifyInstance } from 'fastify'
import { Counter, Gauge, type Registry } from 'prom-client'
import type {} from '../routing/index.js'

export function collectTunnels (app: FastifyInstance, registry: Registry): void {
  const registers = [registry]
  const stats = (): NonNullable<FastifyInstance['instanceRouter']['tunnels']> | undefined =>
    app.hasDecorator('instanceRouter') ? app.instanceRouter.tunnels : undefined
  const counter = (name: string, help: string, pick: (counts: NonNullable<ReturnType<typeof stats>>) => number): void => {
    new Counter({
      name, help, registers,
      collect () {
        this.reset()
        const counts = stats()
        if (counts !== undefined) this.inc(pick(counts))
      }
    })
  }
  new Gauge({
    name: 'openclaw_cloud_tunnel_sessions',
    help: 'Box tunnels open on this server node.',
    registers,
    collect () { this.set(stats()?.sessions ?? 0) }
  })
  counter('openclaw_cloud_tunnel_opened_total', 'Box tunnels accepted on this server node (a box that redials counts again).', (counts) => counts.opened)
  counter('openclaw_cloud_tunnel_refused_total', 'Tunnel dials refused: no or invalid device JWT, revoked box, bad gateway port header.', (counts) => counts.refused)
  counter('openclaw_cloud_tunnel_received_bytes_total', 'Bytes received from boxes over their tunnels (HTTP/2 framing included).', (counts) => counts.bytesReceived)
  counter('openclaw_cloud_tunnel_sent_bytes_total', 'Bytes sent to boxes over their tunnels (HTTP/2 framing included).', (counts) => counts.bytesSent)
}
