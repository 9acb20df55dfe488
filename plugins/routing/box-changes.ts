// Box changes (claim, release, transfer, revoke, restore) told to every server node through Redis
// pub/sub: the devices plugin reports a change only on the node where it happened, but the box table
// and the tunnels of every node must follow it at once — a box revoked or given to someone else
// through node A must not stay open to its old owner on node B until B's next full reload. A message
// lost while a node reconnects to Redis is caught up by that reload (box-routes.ts).
import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import type { FastifyBaseLogger } from 'fastify'
import type { Redis } from 'ioredis'
import type { DevicesApi } from '../devices/types.js'

const CHANNEL = 'openclaw:routing:box-changed'

export interface BoxChanges {
  /** Like the devices plugin's `onChange`, for changes made on any node. */
  onChange: DevicesApi['onChange']
  close: () => Promise<void>
}

export async function relayBoxChanges ({ redis, devices, log }: { redis: Redis, devices: Pick<DevicesApi, 'onChange'>, log: FastifyBaseLogger }): Promise<BoxChanges> {
  const node = randomUUID()
  const changes = new EventEmitter().setMaxListeners(0)
  const subscriber = redis.duplicate()
  subscriber.on('error', (err: Error) => { log.warn({ err: err.message }, 'box changes: Redis unavailable') })
  subscriber.on('message', (_channel: string, message: string) => {
    const [from, deviceId] = message.split(' ', 2)
    if (from !== node && deviceId !== undefined) changes.emit('change', deviceId)
  })
  await subscriber.subscribe(CHANNEL)
  const unsubscribe = devices.onChange((deviceId) => {
    changes.emit('change', deviceId)
    redis.publish(CHANNEL, `${node} ${deviceId}`).catch((err: Error) => { log.warn({ deviceId, err: err.message }, 'box changes: could not tell the other nodes') })
  })
  return {
    onChange (listener) {
      changes.on('change', listener)
      return () => { changes.off('change', listener) }
    },
    async close () {
      unsubscribe()
      await subscriber.quit().catch(() => { subscriber.disconnect() })
    }
  }
}
