// Console sessions: the cookie holds an opaque id, the database only its hash, so users can list
// and revoke their signed-in browsers.
import type { MikroORM } from '@mikro-orm/core'
import { randomUUID } from 'node:crypto'
import { Session, User } from './entities.js'
import { NotFound } from './errors.js'
import { LIFETIME } from './lifetimes.js'
import { hashToken, newToken, TOKEN_PREFIX } from './secrets.js'

export interface ClientInfo { userAgent?: string, ip: string }

export type Sessions = ReturnType<typeof createSessions>

export function createSessions (orm: MikroORM) {
  return {
    async create (userId: string, client: ClientInfo): Promise<{ token: string, session: Session }> {
      const em = orm.em.fork()
      const token = newToken(TOKEN_PREFIX.session)
      const now = new Date()
      const session = em.create(Session, {
        id: randomUUID(),
        tokenHash: hashToken(token),
        user: em.getReference(User, userId),
        createdAt: now,
        lastSeenAt: now,
        expiresAt: new Date(now.getTime() + LIFETIME.session),
        userAgent: client.userAgent?.slice(0, 300) ?? null,
        ip: client.ip
      })
      await em.flush()
      return { token, session }
    },

    /** The live session behind a cookie value, with its user; null when unknown or expired. */
    async resolve (token: string): Promise<Session | null> {
      const em = orm.em.fork()
      const session = await em.findOne(Session, { tokenHash: hashToken(token) }, { populate: ['user'] })
      if (session === null) return null
      const now = Date.now()
      if (session.expiresAt.getTime() <= now) {
        await em.nativeDelete(Session, { id: session.id })
        return null
      }
      if (now - session.lastSeenAt.getTime() > LIFETIME.sessionTouch) {
        await em.nativeUpdate(Session, { id: session.id }, { lastSeenAt: new Date(now) })
      }
      return session
    },

    async list (userId: string): Promise<Session[]> {
      return await orm.em.fork().find(Session, { user: userId, expiresAt: { $gt: new Date() } }, { orderBy: { lastSeenAt: 'desc' } })
    },

    /** Revokes one of the user's own sessions; someone else's is as unknown as a missing one. */
    async revoke (userId: string, sessionId: string): Promise<void> {
      const deleted = await orm.em.fork().nativeDelete(Session, { id: sessionId, user: userId })
      if (deleted === 0) throw new NotFound(`Session ${sessionId} not found`)
    }
  }
}
