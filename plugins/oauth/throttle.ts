// Per-account backoff after failed sign-ins: after `loginLockoutThreshold` failures in a row the
// email is locked for `loginLockoutWindow`, doubling with each further failure (capped at 64x). Keyed
// by a hash of the email whether or not an account has it, so a lockout reveals nothing.
import { raw, UniqueConstraintViolationException, type MikroORM } from '@mikro-orm/core'
import type { Config } from '../../server/config.js'
import { LoginThrottle } from './entities.js'
import { hashToken } from './secrets.js'

const MAX_DOUBLINGS = 6

export interface LoginThrottleService {
  /** Milliseconds left in the lockout, 0 when sign-in may be tried. */
  lockedFor: (email: string) => Promise<number>
  /** Counts a failure; answers the lockout it starts (0 for none). */
  fail: (email: string) => Promise<number>
  clear: (email: string) => Promise<void>
}

export function createLoginThrottle (orm: MikroORM, config: Pick<Config, 'loginLockoutThreshold' | 'loginLockoutWindow'>): LoginThrottleService {
  const keyOf = (email: string): string => hashToken(`login:${email}`)
  return {
    async lockedFor (email) {
      const row = await orm.em.fork().findOne(LoginThrottle, { key: keyOf(email) })
      return Math.max(0, (row?.lockedUntil?.getTime() ?? 0) - Date.now())
    },
    async fail (email) {
      const em = orm.em.fork()
      const key = keyOf(email)
      const now = new Date()
      // Increment in the database, so a parallel burst counts every attempt.
      try {
        await em.insert(LoginThrottle, { key, failures: 0, updatedAt: now })
      } catch (err) {
        if (!(err instanceof UniqueConstraintViolationException)) throw err
      }
      await em.nativeUpdate(LoginThrottle, { key }, { failures: raw('failures + 1'), updatedAt: now })
      const row = await em.findOneOrFail(LoginThrottle, { key }, { disableIdentityMap: true })
      const over = row.failures - config.loginLockoutThreshold
      if (over < 0) return 0
      const lockMs = config.loginLockoutWindow * 2 ** Math.min(over, MAX_DOUBLINGS)
      await em.nativeUpdate(LoginThrottle, { key }, { lockedUntil: new Date(now.getTime() + lockMs) })
      return lockMs
    },
    async clear (email) {
      await orm.em.fork().nativeDelete(LoginThrottle, { key: keyOf(email) })
    }
  }
}
