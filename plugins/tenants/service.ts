// Tenant lifecycle as users ask for it: create (quota, placement), list, get (owner or admin only),
// start / stop / restart, delete. Each call records the desired state and hands the work to the
// reconciler; answers come back at once (202) and progress is on the events stream.
import type { MikroORM } from '@mikro-orm/core'
import { randomBytes, randomUUID } from 'node:crypto'
import { isBoxSlug } from '../../protocol/tunnel.js'
import type { AuthUser } from '../oauth/types.js'
import type { Allocations, Workers } from '../scheduler/workers.js'
import { Tenant, type ObservedStatus, type PlanName } from './entities.js'
import { InvalidTenantName, NoDocker, QuotaExceeded, TenantNameTaken, TenantNotFound } from './errors.js'
import type { TenantEvents } from './events.js'
import type { Plans } from './plans.js'
import type { Reconciler } from './reconciler.js'

export interface TenantServiceOptions {
  orm: MikroORM
  workers: Workers
  plans: Plans
  events: TenantEvents
  reconciler: Reconciler
  dockerSocket: string
  /** Seconds a deleted tenant's volume is kept. */
  volumeGraceSeconds: number
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{1,61}[a-z0-9])$/
// Crockford-style alphabet without look-alikes, lowercase for DNS.
const SLUG_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'

function randomSlug (): string {
  return 'tenant-' + [...randomBytes(4)].map((byte) => SLUG_ALPHABET[byte % 32]).join('')
}

export function isAdmin (user: AuthUser): boolean {
  return user.scopes.includes('admin')
}

export type TenantService = ReturnType<typeof createTenantService>

export function createTenantService (options: TenantServiceOptions) {
  const { orm, workers, plans, events, reconciler } = options

  async function allocations (): Promise<Allocations> {
    const live = await orm.em.fork().find(Tenant, { desired: { $ne: 'deleted' } }, { fields: ['workerId', 'plan'] })
    const byWorker = new Map<string, { memory: number, cpu: number, tenants: number }>()
    for (const tenant of live) {
      const entry = byWorker.get(tenant.workerId) ?? { memory: 0, cpu: 0, tenants: 0 }
      entry.memory += plans[tenant.plan].memory
      entry.cpu += plans[tenant.plan].cpus
      entry.tenants++
      byWorker.set(tenant.workerId, entry)
    }
    return byWorker
  }

  async function chooseSlug (name: string | undefined): Promise<string> {
    const em = orm.em.fork()
    if (name !== undefined) {
      if (!DNS_LABEL.test(name)) throw new InvalidTenantName(`name "${name}" must be 3-63 lowercase letters, digits or dashes, not starting or ending with a dash`)
      if (isBoxSlug(name)) throw new InvalidTenantName(`name "${name}" has the form of a box address (ocb-…), which is reserved for boxes`)
      if (await em.count(Tenant, { slug: name }) > 0) throw new TenantNameTaken(name)
      return name
    }
    for (;;) {
      const slug = randomSlug()
      if (await em.count(Tenant, { slug }) === 0) return slug
    }
  }

  async function visible (user: AuthUser, id: string): Promise<Tenant> {
    const tenant = await orm.em.fork().findOne(Tenant, { id })
    // Someone else's instance is answered like a missing one: its existence is not disclosed.
    if (tenant === null || (tenant.ownerId !== user.id && !isAdmin(user))) throw new TenantNotFound(id)
    return tenant
  }

  async function setDesired (user: AuthUser, id: string, change: Partial<Tenant>): Promise<Tenant> {
    const tenant = await visible(user, id)
    if (tenant.desired === 'deleted') throw new TenantNotFound(id)
    const em = orm.em.fork()
    await em.nativeUpdate(Tenant, { id }, change)
    void reconciler.reconcile(id)
    return Object.assign(tenant, change)
  }

  return {
    allocations,

    /** Instances by observed status, for /metrics. */
    async countByStatus (): Promise<Partial<Record<ObservedStatus, number>>> {
      const rows = await orm.em.fork().find(Tenant, {}, { fields: ['status'] })
      const counts: Partial<Record<ObservedStatus, number>> = {}
      for (const { status } of rows) counts[status] = (counts[status] ?? 0) + 1
      return counts
    },

    async create (user: AuthUser, input: { name?: string, plan: PlanName }): Promise<Tenant> {
      const plan = plans[input.plan]
      const em = orm.em.fork()
      // Independent reads side by side: each is a database round trip on the way to `scheduled`.
      const [owned, slug, known, allocated] = await Promise.all([
        em.count(Tenant, { ownerId: user.id, desired: { $ne: 'deleted' } }),
        chooseSlug(input.name),
        workers.list(),
        allocations()
      ])
      if (owned >= plan.maxInstances) {
        throw new QuotaExceeded(`Plan ${plan.name} allows ${plan.maxInstances} instance${plan.maxInstances === 1 ? '' : 's'} per user (maxInstances); you have ${owned}`)
      }
      if (!known.some((worker) => worker.endpoint !== '')) {
        throw new NoDocker(`No Docker engine to run instances on: ${options.dockerSocket} does not answer and no worker has registered (an admin adds one with POST /api/admin/workers)`)
      }
      const worker = await workers.place({ memory: plan.memory, cpu: plan.cpus }, allocated)
      const tenant = em.create(Tenant, {
        id: randomUUID(), slug, ownerId: user.id, ownerEmail: user.email, plan: plan.name, workerId: worker.id,
        desired: 'running', status: 'scheduled', lastActivityAt: new Date(), createdAt: new Date(), updatedAt: new Date()
      } as Tenant)
      await em.flush()
      events.emit(tenant.id, 'scheduled', `on worker ${worker.name}`)
      void reconciler.reconcile(tenant.id)
      return tenant
    },

    async list (user: AuthUser): Promise<Tenant[]> {
      return await orm.em.fork().find(Tenant, { ownerId: user.id, desired: { $ne: 'deleted' } }, { orderBy: { createdAt: 'asc' } })
    },

    get: visible,
    // A start counts as activity, so idle stop measures from it; an owner's stop is not idleness.
    start: (user: AuthUser, id: string) => setDesired(user, id, { desired: 'running', idleStoppedAt: null, lastActivityAt: new Date() }),
    stop: (user: AuthUser, id: string) => setDesired(user, id, { desired: 'stopped', idleStoppedAt: null }),

    async restart (user: AuthUser, id: string): Promise<Tenant> {
      const tenant = await setDesired(user, id, { desired: 'running', idleStoppedAt: null, lastActivityAt: new Date() })
      void reconciler.restart(id)
      return tenant
    },

    async remove (user: AuthUser, id: string, purge: boolean): Promise<Tenant> {
      const keepFor = purge ? 0 : options.volumeGraceSeconds * 1000
      return await setDesired(user, id, { desired: 'deleted', status: 'deleting', deletedAt: new Date(), volumeRemoveAt: new Date(Date.now() + keepFor) })
    }
  }
}
