// Onboarding of a fresh install: is setup needed, and create the first admin with the logged link.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { SetupBody, SetupStatus, UserView } from '../schemas.js'
import type { OAuthServices } from '../services.js'
import { describeUser } from '../users.js'
import { authRateLimit } from './shared.js'

export const setupRoutes = (services: OAuthServices): FastifyPluginAsyncTypebox => async (app) => {
  const tags = ['setup']

  app.get('/api/setup', {
    schema: { tags, summary: 'Whether the first admin still has to be created', response: { 200: SetupStatus } }
  }, async () => ({ needed: !(await services.setup.adminExists()) }))

  app.post('/api/setup/admin', {
    config: authRateLimit(app.config),
    schema: { tags, summary: 'Create the first admin with the token of the setup link in the server log (works once)', body: SetupBody, response: { 201: UserView } }
  }, async (request, reply) => reply.code(201).send(describeUser(await services.setup.createAdmin(request.body, request.ip))))
}
