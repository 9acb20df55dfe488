// The router's view of every instance, in memory: slug -> owner, lifecycle state and upstream.
// Loaded once, then each tenant event re-reads that one tenant, so no request waits on the database.
// A periodic full reload catches changes made by other server nodes.
import type { MikroORM } from '@mikro-orm/core'
import type { FastifyBaseLogger } from 'fastify'
import { Tenant, type DesiredState, type ObservedStatus } from '../tenants/entities.js'
import type { TenantEvents } from '../tenants/events.js'

export interface Route {
  kind: 'container'
  tenantId: string
  slug: string
  ownerId: string
  /** The identity the gateway's `allowUsers` holds, sent upstream in `x-forwarded-user`. */
  ownerEmail: string
  desired: DesiredState
  status: ObservedStatus
  /** `http://<ip>:<port>` while routable, else null. */
  upstream: string | null
}

export interface RouteTable {
  get: (slug: string) => Route | undefined
  /** Re-reads one tenant now (after a failed connection, or when an event says it changed). */
  refresh: (tenantId: string) => Promise<void>
  reload: () => Promise<void>
  all: () => Route[]
  close: () => void
}

const SETTLE_MS = 1000
const FIELDS = ['id', 'slug', 'ownerId', 'ownerEmail', 'desired', 'status', 'upstream'] as const

function toRoute (tenant: Pick<Tenant, typeof FIELDS[number]>): Route {
  return {
    kind: 'container',
    tenantId: tenant.id,
    slug: tenant.slug,
    ownerId: tenant.ownerId,
    ownerEmail: tenant.ownerEmail,
    desired: tenant.desired,
    status: tenant.status,
    upstream: tenant.status === 'running' ? tenant.upstream ?? null : null
  }
}

export function createRouteTable ({ orm, events, log, reloadIntervalMs }: { orm: MikroORM, events: TenantEvents, log: FastifyBaseLogger, reloadIntervalMs: number }): RouteTable {
  let bySlug = new Map<string, Route>()
  const slugOfTenant = new Map<string, string>()

  const put = (route: Route): void => {
    const previous = slugOfTenant.get(route.tenantId)
    if (previous !== undefined && previous !== route.slug) bySlug.delete(previous)
    bySlug.set(route.slug, route)
    slugOfTenant.set(route.tenantId, route.slug)
  }

  async function refresh (tenantId: string): Promise<void> {
    const tenant = await orm.em.fork().findOne(Tenant, { id: tenantId }, { fields: [...FIELDS] })
    if (tenant !== null) { put(toRoute(tenant)); return }
    const slug = slugOfTenant.get(tenantId)
    if (slug !== undefined) bySlug.delete(slug)
    slugOfTenant.delete(tenantId)
  }

  async function reload (): Promise<void> {
    const tenants = await orm.em.fork().find(Tenant, {}, { fields: [...FIELDS] })
    const next = new Map<string, Route>()
    slugOfTenant.clear()
    for (const tenant of tenants) {
      next.set(tenant.slug, toRoute(tenant))
      slugOfTenant.set(tenant.id, tenant.slug)
    }
    bySlug = next
  }

  const reRead = (tenantId: string): void => {
    refresh(tenantId).catch((err: Error) => { log.warn({ tenantId, err: err.message }, 'route table: cannot re-read tenant') })
  }
  // Some events are emitted just before the reconciler writes the row: read again a moment later.
  const unsubscribe = events.subscribeAll((tenantId) => {
    reRead(tenantId)
    setTimeout(reRead, SETTLE_MS, tenantId).unref()
  })
  const timer = setInterval(() => {
    reload().catch((err: Error) => { log.warn({ err: err.message }, 'route table: reload failed') })
  }, reloadIntervalMs)
  timer.unref()

  return {
    get: (slug) => bySlug.get(slug),
    refresh,
    reload,
    all: () => [...bySlug.values()],
    close () { unsubscribe(); clearInterval(timer) }
  }
}
