// The audit trail of auth events, readable by admins at GET /api/admin/audit.
import type { MikroORM } from '@mikro-orm/core'
import type { FastifyBaseLogger } from 'fastify'
import { randomUUID } from 'node:crypto'
import { AuditEvent } from './entities.js'

export type AuditType =
  | 'register' | 'email.verify' | 'login' | 'login.failure' | 'login.lockout' | 'logout'
  | 'token.reuse' | 'role.change' | 'password.reset' | 'password.change' | 'account.delete' | 'setup.admin' | 'user.create'
  | 'oauth.consent' | 'oauth.deny'
  | 'external.login' | 'external.register' | 'external.link' | 'external.unlink'

export interface AuditEntry {
  type: AuditType
  userId?: string | null
  actorId?: string | null
  ip?: string | null
  details?: Record<string, unknown>
}

export interface AuditQuery { limit: number, type?: string, userId?: string, before?: Date }

export interface Audit {
  record: (entry: AuditEntry) => Promise<void>
  list: (query: AuditQuery) => Promise<AuditEvent[]>
}

export function createAudit (orm: MikroORM, log: FastifyBaseLogger): Audit {
  return {
    async record (entry) {
      const em = orm.em.fork()
      em.create(AuditEvent, { id: randomUUID(), at: new Date(), type: entry.type, userId: entry.userId ?? null, actorId: entry.actorId ?? null, ip: entry.ip ?? null, details: entry.details ?? null })
      await em.flush()
      log.info({ audit: entry.type, userId: entry.userId, actorId: entry.actorId }, 'auth event')
    },
    async list ({ limit, type, userId, before }) {
      return await orm.em.fork().find(AuditEvent, {
        ...(type === undefined ? {} : { type }),
        ...(userId === undefined ? {} : { userId }),
        ...(before === undefined ? {} : { at: { $lt: before } })
      }, { orderBy: { at: 'desc' }, limit })
    }
  }
}
