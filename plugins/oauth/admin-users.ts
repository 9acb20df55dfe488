// Admin user management: list users and change their roles (audit-logged).
import type { MikroORM } from '@mikro-orm/core'
import type { Audit } from './audit.js'
import { User } from './entities.js'
import { InvalidRole, NotFound } from './errors.js'
import { isRole } from './rbac.js'
import { formatRoles, parseRoles } from './users.js'

export type AdminUsers = ReturnType<typeof createAdminUsers>

export function createAdminUsers (orm: MikroORM, audit: Audit) {
  return {
    async list (query: { limit: number, offset: number, email?: string }): Promise<{ users: User[], total: number }> {
      const [users, total] = await orm.em.fork().findAndCount(User, query.email === undefined ? {} : { email: { $like: `%${query.email.toLowerCase()}%` } }, {
        orderBy: { createdAt: 'asc', id: 'asc' }, limit: query.limit, offset: query.offset
      })
      return { users, total }
    },

    async setRoles (actorId: string, userId: string, roles: string[], ip: string): Promise<User> {
      const unknown = roles.find((role) => !isRole(role))
      if (unknown !== undefined) throw new InvalidRole(unknown)
      const em = orm.em.fork()
      const user = await em.findOne(User, { id: userId })
      if (user === null) throw new NotFound(`User ${userId} not found`)
      const before = parseRoles(user.roles)
      user.roles = formatRoles(roles)
      await em.flush()
      await audit.record({ type: 'role.change', userId, actorId, ip, details: { before, after: parseRoles(user.roles) } })
      return user
    }
  }
}
