// The routing plugin: the router in front of every instance. Requests for `<slug>.<APPS_DOMAIN>` are
// taken off the HTTP server before Fastify sees them, checked (single sign-on, owner only) and
// proxied to the instance's container or, for a claimed box, through its tunnel (`GET /tunnel`);
// everything else is the console and API. Boxes need the devices plugin; without it there are none.
// With REDIS_URL, a box is reachable through every server node, wherever its tunnel ended.
import fp from 'fastify-plugin'
import { Redis } from 'ioredis'
import { hostname } from 'node:os'
import type { Duplex } from 'node:stream'
import type { ServerPlugin } from '../../server/plugins.js'
import { createActivity, type InstanceActivity } from './activity.js'
import { authorizeRoutes } from './authorize-routes.js'
import { createLocalAuthorizer } from './authorizer.js'
import { relayBoxChanges, type BoxChanges } from './box-changes.js'
import { createBoxRoutes, type BoxRoutes } from './box-routes.js'
import { edgeExport } from './edge-export.js'
import { installFrontDoor } from './front-door.js'
import { createHostCookies } from './host-session.js'
import { createNodeHop } from './node-hop.js'
import { slugMatcher } from './hosts.js'
import { createProxyEngine, type ProxyCounts } from './proxy.js'
import { createRouteTable, type RouteTable } from './route-table.js'
import { createTenantHost, type BoxAccess } from './tenant-host.js'
import { createTunnelDirectory, type TunnelDirectory } from './tunnel-directory.js'
import { createTunnels, type TunnelStats, type Tunnels } from './tunnels.js'
import { TUNNEL_PATH } from '../../protocol/tunnel.js'
import '../devices/types.js'

declare module 'fastify' {
  interface FastifyInstance {
    instanceRouter: {
      table: RouteTable
      /** Last request and open WebSockets of an instance, for idle stop. */
      activity: (tenantId: string) => InstanceActivity | undefined
      /** Box tunnels on this server node; undefined while the devices plugin is off. */
      readonly tunnels: TunnelStats | undefined
      /** Proxied requests and upgrades by outcome, for the metrics plugin. */
      proxied: ProxyCounts
    }
  }
}

/** A full reload catches what events cannot tell this node (changes made by other server nodes). */
const RELOAD_INTERVAL_MS = 30_000

/** How often open WebSockets count as activity for idle stop; well under any plan's idle timeout. */
const ACTIVITY_HEARTBEAT_MS = 30_000

const routingPlugin = fp(async function routing (app) {
  const { config } = app
  const log = app.log.child({ plugin: 'routing' })
  const slugOf = slugMatcher(config)
  const table = createRouteTable({ orm: app.orm, events: app.tenants.events, log, reloadIntervalMs: RELOAD_INTERVAL_MS })
  const cookies = createHostCookies({ secret: app.oauth.keys.csrfSecret, secure: config.publicUrl.startsWith('https:') })
  const authorizer = createLocalAuthorizer({ consoleOrigin: config.publicUrl, orm: app.orm })
  const engine = createProxyEngine({ upstreamTimeoutMs: config.routingUpstreamTimeout, bodyLimit: config.routingBodyLimit })
  const activity = createActivity(app.tenants.reportActivity)
  const openSockets = new Set<Duplex>()
  // Made once every plugin is loaded (onReady), when the devices plugin's decoration is there if enabled.
  let boxRoutes: BoxRoutes | undefined
  let tunnels: Tunnels | undefined
  let directory: TunnelDirectory | undefined
  const boxes: BoxAccess = {
    route: (slug) => boxRoutes?.get(slug),
    recheck: async (slug) => await boxRoutes?.recheck(slug),
    tunnel: (deviceId) => tunnels?.get(deviceId),
    elsewhere: async (deviceId) => await directory?.elsewhere(deviceId)
  }
  // Every node derives the same hop key: they share the server keys, as they must for host cookies.
  const nodeHop = config.redisUrl === undefined ? undefined : createNodeHop(app.oauth.keys.csrfSecret)
  const tenantHost = createTenantHost({ config, slugOf, table, cookies, authorizer, engine, oauth: app.oauth, tenants: app.tenants, activity, boxes, nodeHop, log })

  installFrontDoor(app.server, {
    claims: tenantHost.claims,
    http: tenantHost.http,
    upgrade (request, socket, head) {
      openSockets.add(socket)
      socket.once('close', () => { openSockets.delete(socket) })
      tenantHost.upgrade(request, socket, head)
    }
  })
  app.decorate('instanceRouter', { table, activity: activity.of, proxied: engine.counts, get tunnels () { return tunnels?.stats } })
  await app.register(authorizeRoutes({ authorizer, owns: async (slug, userId) => (await tenantHost.routeFor(slug, userId))?.ownerId === userId, slugOf }))
  await app.register(edgeExport({ table, slugOf, instances: tenantHost }))

  let activityHeartbeat: NodeJS.Timeout | undefined
  let redis: Redis | undefined
  let boxChanges: BoxChanges | undefined
  app.addHook('onReady', async () => {
    if (app.hasDecorator('devices')) {
      let devices = app.devices
      if (config.redisUrl !== undefined) {
        // One retry: a request for a box elsewhere answers "offline" soon when Redis is away, rather than hang.
        redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 })
        redis.on('error', (err: Error) => { log.warn({ err: err.message }, 'routing: Redis unavailable') })
        // Replicas share one configuration: `{hostname}` names each (a container's hostname resolves on its Docker network).
        directory = createTunnelDirectory({ redis, nodeUrl: config.routingNodeUrl?.replace('{hostname}', hostname()), log })
        if (config.routingNodeUrl === undefined) log.warn('REDIS_URL is set but ROUTING_NODE_URL is not: boxes whose tunnel ends on this node are reachable through this node only')
        boxChanges = await relayBoxChanges({ redis, devices: app.devices, log })
        devices = { ...app.devices, onChange: boxChanges.onChange }
      }
      boxRoutes = createBoxRoutes({ devices, orm: app.orm, log, reloadIntervalMs: RELOAD_INTERVAL_MS })
      tunnels = createTunnels({ devices, bandwidth: config.tunnelBandwidth, pingIntervalMs: config.tunnelPingInterval, log, directory })
      // Before the server listens, so the front door puts it behind its dispatcher with the others.
      app.server.on('upgrade', tunnels.upgrade)
      app.upgradePaths.add(TUNNEL_PATH)
      await boxRoutes.reload()
    }
    await table.reload()
    activityHeartbeat = setInterval(activity.heartbeat, ACTIVITY_HEARTBEAT_MS).unref()
  })
  app.addHook('onClose', async () => {
    clearInterval(activityHeartbeat)
    table.close()
    boxRoutes?.close()
    tunnels?.close()
    await directory?.close()
    await boxChanges?.close()
    await redis?.quit().catch(() => { redis?.disconnect() })
    // Proxied WebSockets left the HTTP server's bookkeeping at the upgrade: close them here.
    for (const socket of openSockets) socket.destroy()
    await engine.close()
  })
}, { name: 'routing', dependencies: ['oauth', 'tenants'] })

export const routing: ServerPlugin = {
  plugin: routingPlugin,
  description: 'The router: instance hosts proxied to their containers (HTTP and WebSocket) behind single sign-on, with lifecycle pages'
}
