// Progress events of each tenant (scheduled, image ready, container created, starting, healthy,
// routable, failed), kept in memory per tenant so a late SSE subscriber first gets what happened.
import { EventEmitter } from 'node:events'
import type { TenantStats } from './stats.js'

export const PROGRESS = ['scheduled', 'image-ready', 'container-created', 'starting', 'healthy', 'routable', 'stopped', 'deleted', 'failed'] as const
export type ProgressType = typeof PROGRESS[number]

export interface ProgressEvent {
  type: ProgressType
  at: string
  reason?: string
  /** Increases with every event this server emits: the SSE event id a reconnecting client sends back. */
  id?: number
}

/** A stream ends at one of these: the instance is up, or a step failed, or it is gone. */
export const FINAL: ReadonlySet<ProgressType> = new Set(['routable', 'failed', 'stopped', 'deleted'])

const HISTORY = 50

export interface TenantEvents {
  emit: (tenantId: string, type: ProgressType, reason?: string) => void
  history: (tenantId: string) => ProgressEvent[]
  /** Calls `listener` for each later event; returns the unsubscribe function. */
  subscribe: (tenantId: string, listener: (event: ProgressEvent) => void) => () => void
  /** Calls `listener` for every later event of any tenant (the router's route table); returns the unsubscribe function. */
  subscribeAll: (listener: (tenantId: string, event: ProgressEvent) => void) => () => void
  forget: (tenantId: string) => void
}

export function createTenantEvents (stats?: TenantStats): TenantEvents {
  const bus = new EventEmitter()
  bus.setMaxListeners(0)
  const histories = new Map<string, ProgressEvent[]>()
  // A separate emitter, so no tenant id can collide with the name of the all-tenants event.
  const everyTenant = new EventEmitter()
  everyTenant.setMaxListeners(0)
  let lastId = 0
  return {
    emit (tenantId, type, reason) {
      const id = ++lastId
      const event: ProgressEvent = reason === undefined ? { type, at: new Date().toISOString(), id } : { type, at: new Date().toISOString(), reason, id }
      // A new attempt starts a new story: a fresh `scheduled` or `starting` after a final event resets it.
      const history = histories.get(tenantId) ?? []
      const restart = history.length > 0 && FINAL.has(history[history.length - 1]!.type) && !FINAL.has(type)
      const next = restart ? [event] : [...history, event].slice(-HISTORY)
      histories.set(tenantId, next)
      if (type === 'routable' && (next[0]!.type === 'scheduled' || next[0]!.type === 'starting')) {
        stats?.events.emit('spawned', (Date.parse(event.at) - Date.parse(next[0]!.at)) / 1000)
      }
      bus.emit(tenantId, event)
      everyTenant.emit('event', tenantId, event)
    },
    history: (tenantId) => [...(histories.get(tenantId) ?? [])],
    subscribe (tenantId, listener) {
      bus.on(tenantId, listener)
      return () => { bus.off(tenantId, listener) }
    },
    subscribeAll (listener) {
      everyTenant.on('event', listener)
      return () => { everyTenant.off('event', listener) }
    },
    forget (tenantId) { histories.delete(tenantId) }
  }
}
