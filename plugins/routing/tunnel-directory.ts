// Which server node holds each box's tunnel, in Redis shared by the nodes (`REDIS_URL`): a key per
// box naming the node's internal URL, written when the tunnel opens, refreshed while it lives,
// removed when it closes, and expiring on its own when the node dies. A node that gets a request
// for a box whose tunnel is elsewhere looks it up here and proxies the request there (node-hop.ts).
import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { Redis } from 'ioredis'

/** A tunnel's entry outlives a few missed refreshes, and no more: a dead node's boxes show offline soon. */
export const DIRECTORY_REFRESH_MS = 10_000
export const DIRECTORY_TTL_MS = 3 * DIRECTORY_REFRESH_MS

const keyOf = (deviceId: string): string => `openclaw:routing:tunnel:${deviceId}`

// Only the entry this node wrote is refreshed or removed: a newer tunnel of the box on another node
// has replaced it otherwise (compare-and-set, atomic in Redis).
const REFRESH_IF_OURS = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"
const DELETE_IF_OURS = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"

export interface TunnelDirectory {
  /** The tunnel of `deviceId` opened on this node. */
  opened: (deviceId: string) => void
  /** It closed (or was replaced) here. */
  closed: (deviceId: string) => void
  /** The internal URL of another node holding the box's tunnel, if any does. */
  elsewhere: (deviceId: string) => Promise<string | undefined>
  close: () => Promise<void>
}

interface Entry { node: string, url: string }

export function createTunnelDirectory ({ redis, nodeUrl, log }: { redis: Redis, nodeUrl: string | undefined, log: FastifyBaseLogger }): TunnelDirectory {
  // Two processes may share an internal URL for a moment (a restart): the entry names this process.
  const node = randomUUID()
  const ours = nodeUrl === undefined ? undefined : JSON.stringify({ node, url: nodeUrl } satisfies Entry)
  const held = new Set<string>()
  let closing = false
  const failed = (what: string, deviceId: string) => (err: Error): void => { log.warn({ deviceId, err: err.message }, `tunnel directory: could not ${what}`) }

  const timer = setInterval(() => {
    if (ours === undefined) return
    for (const deviceId of held) {
      redis.eval(REFRESH_IF_OURS, 1, keyOf(deviceId), ours, DIRECTORY_TTL_MS).then((refreshed) => {
        // Expired after a Redis outage, or replaced by a newer tunnel elsewhere: only the first is ours to restore.
        if (refreshed === 0 && held.has(deviceId)) return redis.set(keyOf(deviceId), ours, 'PX', DIRECTORY_TTL_MS, 'NX')
      }).catch(failed('refresh', deviceId))
    }
  }, DIRECTORY_REFRESH_MS).unref()

  return {
    opened (deviceId) {
      held.add(deviceId)
      if (ours !== undefined && !closing) redis.set(keyOf(deviceId), ours, 'PX', DIRECTORY_TTL_MS).catch(failed('record', deviceId))
    },
    closed (deviceId) {
      // While closing, close() removes every entry itself (the tunnels close after the connection).
      if (closing || !held.delete(deviceId)) return
      if (ours !== undefined) redis.eval(DELETE_IF_OURS, 1, keyOf(deviceId), ours).catch(failed('remove', deviceId))
    },
    async elsewhere (deviceId) {
      const value = await redis.get(keyOf(deviceId))
      if (value === null) return undefined
      const entry = JSON.parse(value) as Entry
      return entry.node === node ? undefined : entry.url
    },
    async close () {
      closing = true
      clearInterval(timer)
      if (ours !== undefined) await Promise.all([...held].map(async (deviceId) => await redis.eval(DELETE_IF_OURS, 1, keyOf(deviceId), ours).catch(failed('remove', deviceId))))
      held.clear()
    }
  }
}
