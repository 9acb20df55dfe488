// Personal API tokens: scoped, expiring, shown once and stored hashed.
import type { MikroORM } from '@mikro-orm/core'
import { randomUUID } from 'node:crypto'
import { ApiToken, User } from './entities.js'
import { InvalidScope, NotFound } from './errors.js'
import type { Scope } from './rbac.js'
import { hashToken, newToken, TOKEN_PREFIX } from './secrets.js'

const DAY = 24 * 60 * 60 * 1000

export interface NewApiToken { name: string, scopes: Scope[], expiresInDays: number }

export type ApiTokens = ReturnType<typeof createApiTokens>

export function createApiTokens (orm: MikroORM) {
  return {
    /** `allowed` are the creator's own scopes: a token never grants more than its owner has. */
    async create (userId: string, allowed: readonly Scope[], input: NewApiToken): Promise<{ token: string, record: ApiToken }> {
      const beyond = input.scopes.find((scope) => !allowed.includes(scope))
      if (beyond !== undefined) throw new InvalidScope(beyond)
      const em = orm.em.fork()
      const token = newToken(TOKEN_PREFIX.api)
      const record = em.create(ApiToken, {
        id: randomUUID(),
        tokenHash: hashToken(token),
        user: em.getReference(User, userId),
        name: input.name,
        scopes: [...new Set(input.scopes)].join(' '),
        createdAt: new Date(),
        expiresAt: new Date(Date.now() + input.expiresInDays * DAY)
      })
      await em.flush()
      return { token, record }
    },

    async list (userId: string): Promise<ApiToken[]> {
      return await orm.em.fork().find(ApiToken, { user: userId }, { orderBy: { createdAt: 'desc' } })
    },

    async revoke (userId: string, tokenId: string): Promise<void> {
      const deleted = await orm.em.fork().nativeDelete(ApiToken, { id: tokenId, user: userId })
      if (deleted === 0) throw new NotFound(`API token ${tokenId} not found`)
    },

    /** The live token with its user, or null. */
    async resolve (token: string): Promise<ApiToken | null> {
      const em = orm.em.fork()
      const found = await em.findOne(ApiToken, { tokenHash: hashToken(token) }, { populate: ['user'] })
      if (found === null || found.expiresAt.getTime() <= Date.now()) return null
      await em.nativeUpdate(ApiToken, { id: found.id }, { lastUsedAt: new Date() })
      return found
    }
  }
}
