// Single-use, expiring tokens behind emailed or logged links and instance hosts' sign-in codes;
// stored hashed and deleted on use, in the database every server node shares.
import type { EntityManager } from '@mikro-orm/core'
import { randomUUID } from 'node:crypto'
import { OneTimeToken, type OneTimePurpose, type User } from './entities.js'
import { hashToken, newToken, TOKEN_PREFIX } from './secrets.js'

/** `binding`: a hash of what the token is only valid with, for the consumer to compare. */
export async function issueOneTimeToken (em: EntityManager, purpose: OneTimePurpose, user: User | null, ttlMs: number, binding?: string): Promise<string> {
  const token = newToken(TOKEN_PREFIX.oneTime)
  em.create(OneTimeToken, { id: randomUUID(), tokenHash: hashToken(token), purpose, user, binding, createdAt: new Date(), expiresAt: new Date(Date.now() + ttlMs) })
  await em.flush()
  return token
}

/**
 * Returns the token's record once; a second use, a wrong purpose or an expired token get null.
 * `check` may reject the request first (e.g. a weak new password) without using the token up.
 */
export async function consumeOneTimeToken (em: EntityManager, purpose: OneTimePurpose, token: string, check?: (found: OneTimeToken) => void): Promise<OneTimeToken | null> {
  const found = await em.findOne(OneTimeToken, { tokenHash: hashToken(token), purpose }, { populate: ['user'] })
  if (found === null) return null
  check?.(found)
  // The delete decides a race between two uses of the same token: only one removes the row.
  const deleted = await em.nativeDelete(OneTimeToken, { id: found.id })
  return deleted === 1 && found.expiresAt.getTime() > Date.now() ? found : null
}
