// Presence (ARCHITECTURE §3 "MQTT"): CONNECT and disconnect from the broker, and the box's own
// retained `devices/{id}/state` (its last will says `offline`), kept in the registry as
// `connected` and `lastSeenAt`; the first connection moves a box from `registered` to `online`.
// Changes are gathered and written together every flush interval, boxes with the same change in
// one UPDATE: a fleet reconnecting after an outage costs a few statements, not two writes per box.
// `lastSeenAt` is the time of the write, at most one flush interval after the event.
import type { MikroORM } from '@mikro-orm/core'
import type { FastifyBaseLogger } from 'fastify'
import type { DeviceState } from '../../protocol/payloads.js'
import { stateTopic } from '../../protocol/topics.js'
import { Device } from './entities.js'

export interface PresenceOptions {
  orm: MikroORM
  log: FastifyBaseLogger
  /** Publishes as the server (retained state when a box leaves without a will). */
  publish: (topic: string, payload: string, retain: boolean) => Promise<void>
  isConnected: (deviceId: string) => boolean
  flushIntervalMs?: number
  now?: () => Date
}

export interface Presence {
  connected: (deviceId: string) => void
  disconnected: (deviceId: string) => void
  reported: (deviceId: string, state: DeviceState) => void
  /** Writes the changes gathered so far. */
  flush: () => Promise<void>
  /** After a restart no box is connected to this process yet. */
  reset: () => Promise<void>
  close: () => Promise<void>
}

interface Change {
  connected?: boolean
  firmwareVersion?: string
  gatewayVersion?: string
}

// Keeps each statement's bound parameters well under SQLite's limit.
const IDS_PER_STATEMENT = 500

/** Device ids grouped by identical change, so each group is one UPDATE. */
function groupByChange (batch: Map<string, Change>): Array<[Change, string[]]> {
  const groups = new Map<string, [Change, string[]]>()
  for (const [id, change] of batch) {
    const key = JSON.stringify([change.connected, change.firmwareVersion, change.gatewayVersion])
    const group = groups.get(key)
    if (group === undefined) groups.set(key, [change, [id]])
    else group[1].push(id)
  }
  return [...groups.values()]
}

export function createPresence (options: PresenceOptions): Presence {
  const now = options.now ?? (() => new Date())
  let changes = new Map<string, Change>()
  let flushing: Promise<void> = Promise.resolve()

  const note = (deviceId: string, change: Change): void => {
    changes.set(deviceId, { ...changes.get(deviceId), ...change })
  }

  async function write (): Promise<void> {
    if (changes.size === 0) return
    const batch = changes
    changes = new Map()
    const lastSeenAt = now()
    await options.orm.em.fork().transactional(async (tx) => {
      for (const [change, ids] of groupByChange(batch)) {
        for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
          const chunk = ids.slice(i, i + IDS_PER_STATEMENT)
          if (change.connected === true) await tx.nativeUpdate(Device, { id: { $in: chunk }, state: 'registered' }, { state: 'online' })
          await tx.nativeUpdate(Device, { id: { $in: chunk } }, { ...change, lastSeenAt, updatedAt: lastSeenAt })
        }
      }
    })
  }

  const flush = (): Promise<void> => {
    flushing = flushing.then(write).catch((err: unknown) => { options.log.error({ err }, 'presence update failed') })
    return flushing
  }
  const timer = setInterval(() => { void flush() }, options.flushIntervalMs ?? 250).unref()

  return {
    connected: (deviceId) => note(deviceId, { connected: true }),
    disconnected (deviceId) {
      note(deviceId, { connected: false })
      // The retained state must not keep saying `online` after a clean DISCONNECT, which sends no will (MQTT 3.1.1 §3.14.4).
      if (options.isConnected(deviceId)) return
      options.publish(stateTopic(deviceId), JSON.stringify({ status: 'offline', ts: now().getTime() } satisfies DeviceState), true)
        .catch((err: unknown) => { options.log.error({ err, deviceId }, 'publishing offline state failed') })
    },
    reported: (deviceId, state) => note(deviceId, {
      ...(state.firmwareVersion === undefined ? {} : { firmwareVersion: state.firmwareVersion }),
      ...(state.gatewayVersion === undefined ? {} : { gatewayVersion: state.gatewayVersion })
    }),
    flush,
    reset: async () => { await options.orm.em.fork().nativeUpdate(Device, { connected: true }, { connected: false }) },
    async close () {
      clearInterval(timer)
      await flush()
    }
  }
}
