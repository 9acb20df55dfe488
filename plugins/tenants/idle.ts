// Idle stop: the router reports activity (requests, WebSocket traffic) per instance; an instance
// running with no activity for longer than its plan's `idleTimeout` is stopped, and marked so that a
// later request may wake it. Activity is kept in memory and written to the database at most once per
// check, so a busy instance costs no write per request.
import type { MikroORM } from '@mikro-orm/core'
import type { FastifyBaseLogger } from 'fastify'
import { Tenant } from './entities.js'
import type { Plans } from './plans.js'
import type { Reconciler } from './reconciler.js'

export interface IdleCandidate {
  id: string
  plan: Tenant['plan']
  desired: Tenant['desired']
  status: Tenant['status']
  /** Epoch ms of the last activity known (reported, or the last start). */
  lastActivity: number
}

/** Which instances have been idle past their plan's timeout. Pure. */
export function idleTenants (candidates: readonly IdleCandidate[], plans: Plans, now: number): string[] {
  return candidates
    .filter((tenant) => tenant.desired === 'running' && tenant.status === 'running')
    .filter((tenant) => plans[tenant.plan].idleTimeout > 0 && now - tenant.lastActivity > plans[tenant.plan].idleTimeout * 1000)
    .map((tenant) => tenant.id)
}

export interface IdleStopperOptions {
  orm: MikroORM
  plans: Plans
  reconciler: Reconciler
  log: FastifyBaseLogger
}

export type IdleStopper = ReturnType<typeof createIdleStopper>

export function createIdleStopper ({ orm, plans, reconciler, log }: IdleStopperOptions) {
  const reported = new Map<string, number>()

  async function flushActivity (): Promise<void> {
    const pending = [...reported]
    reported.clear()
    const em = orm.em.fork()
    for (const [id, at] of pending) await em.nativeUpdate(Tenant, { id }, { lastActivityAt: new Date(at) })
  }

  return {
    /** The router calls this for each request or WebSocket message to an instance; cheap. */
    reportActivity (tenantId: string): void {
      reported.set(tenantId, Date.now())
    },

    /** Stops instances idle past their plan's timeout; returns their ids. */
    async check (now = Date.now()): Promise<string[]> {
      await flushActivity()
      const running = await orm.em.fork().find(Tenant, { desired: 'running', status: 'running' }, { fields: ['id', 'plan', 'desired', 'status', 'lastActivityAt', 'createdAt'] })
      const idle = idleTenants(running.map((tenant) => ({
        id: tenant.id, plan: tenant.plan, desired: tenant.desired, status: tenant.status,
        lastActivity: (tenant.lastActivityAt ?? tenant.createdAt).getTime()
      })), plans, now)
      const seenActivity = new Map(running.map((tenant) => [tenant.id, tenant.lastActivityAt ?? null]))
      for (const id of idle) {
        // Only if nothing changed it meanwhile (a user stop, a delete, a wake, a report just now).
        const stopped = await orm.em.fork().nativeUpdate(Tenant, { id, desired: 'running', lastActivityAt: seenActivity.get(id) ?? null }, { desired: 'stopped', idleStoppedAt: new Date(now) })
        if (stopped === 0) continue
        log.info({ tenant: id }, 'stopping an idle instance')
        void reconciler.reconcile(id)
      }
      return idle
    },

    /** Starts an instance that was stopped for idleness (not one its owner stopped); false otherwise. */
    async wake (tenantId: string): Promise<boolean> {
      const woken = await orm.em.fork().nativeUpdate(Tenant, { id: tenantId, desired: 'stopped', idleStoppedAt: { $ne: null } }, { desired: 'running', idleStoppedAt: null, lastActivityAt: new Date() })
      if (woken === 0) return false
      void reconciler.reconcile(tenantId)
      return true
    },

    flushActivity
  }
}
