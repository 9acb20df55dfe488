// Admin pages' API: users, their roles, and the audit trail.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { AuditQuery, AuditView, IdParams, RolesBody, UsersQuery, UserView } from '../schemas.js'
import type { OAuthServices } from '../services.js'
import { describeUser } from '../users.js'
import { signedIn } from './shared.js'

export const adminRoutes = (services: OAuthServices): FastifyPluginAsyncTypebox => async (app) => {
  const tags = ['admin']
  app.addHook('onRequest', app.requireUser({ scopes: ['admin'] }))

  app.get('/api/admin/users', {
    schema: { tags, summary: 'Users, oldest first', querystring: UsersQuery, response: { 200: Type.Object({ users: Type.Array(UserView), total: Type.Integer() }) } }
  }, async (request) => {
    const { users, total } = await services.adminUsers.list(request.query)
    return { users: users.map(describeUser), total }
  })

  app.patch('/api/admin/users/:id', {
    schema: { tags, summary: "Set a user's roles (audit-logged)", params: IdParams, body: RolesBody, response: { 200: UserView } }
  }, async (request) => describeUser(await services.adminUsers.setRoles(signedIn(request).id, request.params.id, request.body.roles, request.ip)))

  app.get('/api/admin/audit', {
    schema: { tags, summary: 'Auth events, newest first', querystring: AuditQuery, response: { 200: Type.Object({ events: Type.Array(AuditView) }) } }
  }, async (request) => {
    const { before, ...rest } = request.query
    const events = await services.audit.list({ ...rest, ...(before === undefined ? {} : { before: new Date(before) }) })
    return {
      events: events.map((event) => ({
        id: event.id,
        at: event.at.toISOString(),
        type: event.type,
        userId: event.userId ?? null,
        actorId: event.actorId ?? null,
        ip: event.ip ?? null,
        details: event.details ?? null
      }))
    }
  })
}
