// The oauth plugin: local accounts, sessions and tokens, RBAC, the admin's user management, and the
// OAuth 2.0 / OpenID Connect authorization server.
// Other plugins use `app.requireUser(...)` and `request.user` (see README.md).
import cookie from '@fastify/cookie'
import rateLimit from '@fastify/rate-limit'
import fp from 'fastify-plugin'
import type { ServerPlugin } from '../../server/plugins.js'
import { createAuthorizationServer } from './authorization-server/index.js'
import { installAuthentication } from './authenticate.js'
import { oauthEntities } from './entities.js'
import { RateLimited } from './errors.js'
import { accountRoutes } from './routes/account.js'
import { adminRoutes } from './routes/admin.js'
import { authRoutes } from './routes/auth.js'
import { externalRoutes } from './routes/external.js'
import { setupRoutes } from './routes/setup.js'
import { createServices } from './services.js'
import { SWEEP_INTERVAL_MS } from './sweeper.js'
import './types.js'

const oauth = fp(async function oauth (app) {
  const services = await createServices({ orm: app.orm, config: app.config, log: app.log })
  app.addHook('onClose', async () => { services.mailer.close() })
  app.decorate('oauth', services)

  await app.register(cookie)
  // Limits apply only to routes that ask for them (`config.rateLimit`): the endpoints that guess at secrets.
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => new RateLimited(Math.ceil(context.ttl / 1000))
  })
  installAuthentication(app, services)

  await app.register(authRoutes(services))
  await app.register(externalRoutes(services))
  await app.register(accountRoutes(services))
  await app.register(adminRoutes(services))
  await app.register(setupRoutes(services))

  const authorizationServer = await createAuthorizationServer({ config: app.config, services, log: app.log })
  app.decorate('authorizationServer', authorizationServer.api)
  await app.register(authorizationServer.routes)

  let sweeping: NodeJS.Timeout | undefined
  app.addHook('onReady', async () => {
    await services.setup.announce()
    sweeping = setInterval(() => {
      services.sweeper.sweep().catch((err: Error) => { app.log.warn({ err: { message: err.message } }, 'deleting expired credentials failed') })
    }, SWEEP_INTERVAL_MS).unref()
  })
  app.addHook('onClose', async () => { clearInterval(sweeping) })
}, { name: 'oauth' })

export const oauthPlugin: ServerPlugin = {
  plugin: oauth,
  description: 'Accounts and access: local sign-up and sign-in, sessions, API tokens, roles and scopes, audit log, OAuth 2.0 / OpenID Connect authorization server',
  entities: oauthEntities
}
