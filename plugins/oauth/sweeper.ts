// Deletes what has expired: sessions, refresh tokens, one-time links, the authorization server's
// records, and idle sign-in counters.
// Counters exist for any email anyone types, so without this an attacker could grow the table at will.
import type { MikroORM } from '@mikro-orm/core'
import { EXPIRED_RECORD_GRACE_MS } from './authorization-server/adapter.js'
import { LoginThrottle, OidcRecord, OneTimeToken, RefreshToken, Session } from './entities.js'

const IDLE_THROTTLE_MS = 24 * 60 * 60 * 1000
export const SWEEP_INTERVAL_MS = 60 * 60 * 1000

export interface Sweeper { sweep: (now?: Date) => Promise<number> }

export function createSweeper (orm: MikroORM): Sweeper {
  return {
    /** Returns how many rows were deleted. */
    async sweep (now = new Date()) {
      const em = orm.em.fork()
      const idleSince = new Date(now.getTime() - IDLE_THROTTLE_MS)
      const counts = await Promise.all([
        em.nativeDelete(Session, { expiresAt: { $lte: now } }),
        em.nativeDelete(RefreshToken, { expiresAt: { $lte: now } }),
        em.nativeDelete(OneTimeToken, { expiresAt: { $lte: now } }),
        em.nativeDelete(OidcRecord, { expiresAt: { $lte: new Date(now.getTime() - EXPIRED_RECORD_GRACE_MS) } }),
        em.nativeDelete(LoginThrottle, { updatedAt: { $lte: idleSince }, $or: [{ lockedUntil: null }, { lockedUntil: { $lte: now } }] })
      ])
      return counts.reduce((sum, count) => sum + count, 0)
    }
  }
}
