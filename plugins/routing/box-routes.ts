// The router's view of claimed boxes, in memory: box slug (protocol/tunnel.ts) -> device, owner and
// whether it is revoked. Loaded once, then re-read per box when the devices plugin reports a change
// (claim, release, transfer, factory reset, revoke), and fully again now and then for other nodes'
// changes; a box asked for by someone it does not seem to belong to is re-read at once (a claim made
// through another node), at most every few seconds per box. Whether a box is reachable right now is
// the tunnel registry's business, not this table's.
import type { MikroORM } from '@mikro-orm/core'
import type { FastifyBaseLogger } from 'fastify'
import { boxSlug, deviceIdOfBoxSlug } from '../../protocol/tunnel.js'
import type { DevicesApi } from '../devices/types.js'
import { User } from '../oauth/entities.js'

export interface BoxRoute {
  kind: 'box'
  deviceId: string
  slug: string
  ownerId: string
  /** The identity the gateway's `allowUsers` holds, sent upstream in `x-forwarded-user`. */
  ownerEmail: string
  revoked: boolean
}

export interface BoxRoutes {
  get: (slug: string) => BoxRoute | undefined
  /** Re-reads one box (after the devices plugin reported a change). */
  refresh: (deviceId: string) => Promise<BoxRoute | undefined>
  /** The box at a slug, re-read unless it was re-read in the last few seconds: another node may have changed it. */
  recheck: (slug: string) => Promise<BoxRoute | undefined>
  reload: () => Promise<void>
  close: () => void
}

type Owned = { id: string, ownerId?: string | null, state: string }

/** A box slug is re-read at most this often on demand, so made-up requests cannot flood the database. */
const RECHECK_MS = 5_000

export function createBoxRoutes ({ devices, orm, log, reloadIntervalMs }: { devices: Pick<DevicesApi, 'listClaimed' | 'find' | 'onChange'>, orm: MikroORM, log: FastifyBaseLogger, reloadIntervalMs: number }): BoxRoutes {
  let byDevice = new Map<string, BoxRoute>()
  let recheckedAt = new Map<string, number>()

  async function toRoutes (boxes: Owned[]): Promise<BoxRoute[]> {
    const owned = boxes.filter((box): box is Owned & { ownerId: string } => box.ownerId != null)
    if (owned.length === 0) return []
    const owners = await orm.em.fork().find(User, { id: { $in: [...new Set(owned.map((box) => box.ownerId))] } }, { fields: ['id', 'email'] })
    const emailOf = new Map(owners.map((owner) => [owner.id, owner.email]))
    return owned.flatMap((box) => {
      const ownerEmail = emailOf.get(box.ownerId)
      return ownerEmail === undefined ? [] : [{ kind: 'box' as const, deviceId: box.id, slug: boxSlug(box.id), ownerId: box.ownerId, ownerEmail, revoked: box.state === 'revoked' }]
    })
  }

  async function refresh (deviceId: string): Promise<BoxRoute | undefined> {
    const device = await devices.find(deviceId)
    const [route] = await toRoutes(device === null ? [] : [device])
    if (route === undefined) byDevice.delete(deviceId)
    else byDevice.set(deviceId, route)
    return route
  }

  async function reload (): Promise<void> {
    byDevice = new Map((await toRoutes(await devices.listClaimed())).map((route) => [route.deviceId, route]))
    recheckedAt = new Map()
  }

  const unsubscribe = devices.onChange((deviceId) => {
    refresh(deviceId).catch((err: Error) => { log.warn({ deviceId, err: err.message }, 'box routes: cannot re-read box') })
  })
  const timer = setInterval(() => {
    reload().catch((err: Error) => { log.warn({ err: err.message }, 'box routes: reload failed') })
  }, reloadIntervalMs)
  timer.unref()

  return {
    get (slug) {
      const deviceId = deviceIdOfBoxSlug(slug)
      return deviceId === undefined ? undefined : byDevice.get(deviceId)
    },
    refresh,
    async recheck (slug) {
      const deviceId = deviceIdOfBoxSlug(slug)
      if (deviceId === undefined) return undefined
      if (Date.now() - (recheckedAt.get(deviceId) ?? 0) < RECHECK_MS) return byDevice.get(deviceId)
      recheckedAt.set(deviceId, Date.now())
      return await refresh(deviceId)
    },
    reload,
    close () { unsubscribe(); clearInterval(timer) }
  }
}
