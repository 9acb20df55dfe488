// The Fastify application, built from a config object. `buildApp` creates the instance (options that
// Fastify fixes at creation); `openclawCloud` is the application itself, a plugin like fastify/demo.
import helmet from '@fastify/helmet'
import fastifyStatic from '@fastify/static'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { MikroORM } from '@mikro-orm/core'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import path from 'node:path'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import type { Config } from './config.js'
import { databaseTarget, describeTarget, entitiesOf, migrate, openDatabase, type DatabaseStats } from './db.js'
import { ensureInstallation, type Installation } from './entities.js'
import { installErrorHandling } from './errors.js'
import { installedPlugins } from './installed-plugins.js'
import { loggerOptions } from './logger.js'
import { packageInfo } from './package-info.js'
import { resolvePlugins, type ServerPlugin } from './plugins.js'
import { createReadiness, type Readiness } from './readiness.js'
import { createValidatorCompiler } from './validation.js'
import { coreAdminRoutes, coreRoutes } from './routes.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    orm: MikroORM
    /** Failed queries so far (the metrics plugin exports them). */
    databaseStats: DatabaseStats
    readiness: Readiness
    installation: Installation
    /**
     * Paths whose WebSocket upgrades a plugin answers on its own 'upgrade' listener (MQTT, tunnels).
     * An upgrade to any other path on the console's host gets a 404, not a socket left hanging.
     */
    upgradePaths: Set<string>
    /** The plugins this server runs, in load order, and every plugin it could run. */
    plugins: { enabled: ServerPlugin[], installed: ServerPlugin[] }
  }
}

export interface AppOptions {
  config: Config
  /** The plugins this build can load; the config picks among them. */
  installed?: ServerPlugin[]
  /** Built console (ui/dist); served at `/` when it holds an index.html. */
  uiDir?: string
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/

/** Accepts a caller's x-request-id when it is short and plain, so ids can be traced across services. */
function requestId (request: { headers: Record<string, string | string[] | undefined> }): string {
  const offered = request.headers['x-request-id']
  return typeof offered === 'string' && REQUEST_ID.test(offered) ? offered : randomUUID()
}

export async function buildApp (options: AppOptions & { logger?: FastifyBaseLogger }): Promise<FastifyInstance> {
  const { config } = options
  const app = Fastify({
    ...(options.logger === undefined ? { logger: loggerOptions(config.logLevel, config) } : { loggerInstance: options.logger }),
    bodyLimit: config.bodyLimit,
    genReqId: requestId,
    return503OnClosing: true
  }).withTypeProvider<TypeBoxTypeProvider>()
  app.setValidatorCompiler(createValidatorCompiler())
  await app.register(openclawCloud, options)
  return app
}

export const openclawCloud = fp<AppOptions>(async function openclawCloud (app, options) {
  const { config } = options
  const installed = options.installed ?? installedPlugins
  // Plugin choice is checked before anything is opened, so a bad list fails fast and cleanly.
  const enabled = resolvePlugins(installed, config.plugins)

  const target = databaseTarget(config.databaseUrl, config.dataDir)
  const databaseStats: DatabaseStats = { queryErrors: 0 }
  const orm = await openDatabase({
    target,
    entities: entitiesOf(installed),
    logger: app.log as Logger,
    stats: databaseStats
  })
  app.addHook('onClose', async () => { await orm.close() })
  const applied = await migrate(orm)
  app.log.info({ database: describeTarget(target), migrationsApplied: applied }, 'database ready')

  app.decorate('config', config)
  app.decorate('orm', orm)
  app.decorate('databaseStats', databaseStats)
  app.decorate('readiness', createReadiness())
  app.decorate('installation', await ensureInstallation(orm.em.fork()))
  app.decorate('plugins', { enabled, installed })
  app.decorate('upgradePaths', new Set<string>())
  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex) => {
    if (app.upgradePaths.has(new URL(request.url ?? '/', 'http://upgrade').pathname)) return
    socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
  })
  app.readiness.add('database', async () => { await orm.em.getConnection().execute('select 1') })

  app.addHook('onRequest', async (request, reply) => { reply.header('x-request-id', request.id) })
  // While closing, answers to in-flight requests end their keep-alive connection, so shutdown does
  // not wait out idle clients' keep-alive timeouts.
  let closing = false
  app.addHook('preClose', async () => { closing = true })
  app.addHook('onSend', async (_request, reply) => { if (closing) reply.header('connection', 'close') })

  const uiDir = options.uiDir ?? path.join(packageInfo.root, 'ui', 'dist')
  const hasUi = existsSync(path.join(uiDir, 'index.html'))
  installErrorHandling(app, hasUi ? serveConsoleShell : undefined)

  // On the embedded default the console is plain http: upgrading requests or HSTS would break it.
  const servedOverTls = config.publicUrl.startsWith('https:')
  await app.register(helmet, {
    contentSecurityPolicy: { directives: { 'img-src': ["'self'", 'data:', 'blob:'], 'upgrade-insecure-requests': servedOverTls ? [] : null } },
    strictTransportSecurity: servedOverTls
  })
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'OpenClaw Cloud API', version: packageInfo.version, description: 'Control plane for OpenClaw instances and OpenClaw Boxes.' },
      servers: [{ url: config.publicUrl }]
    }
  })
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, transformSpecificationClone: true })

  await app.register(coreRoutes)
  for (const definition of enabled) await app.register(definition.plugin)
  // After the plugins, so an identity plugin's `requireUser` exists: then every core admin route needs the admin scope.
  await app.register(async function adminArea (admin) {
    if (admin.hasDecorator('requireUser')) admin.addHook('onRequest', admin.requireUser({ scopes: ['admin'] }))
    await admin.register(coreAdminRoutes)
  })

  if (hasUi) {
    await app.register(fastifyStatic, { root: uiDir, prefix: '/', wildcard: false, index: 'index.html' })
  } else {
    app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/docs'))
  }
}, { name: 'openclaw-cloud' })

/** Browser navigations to console paths load the single-page console; everything else is a JSON 404. */
function serveConsoleShell (request: FastifyRequest): boolean {
  return request.method === 'GET' && !request.url.startsWith('/api/') && (request.headers.accept ?? '').includes('text/html')
}
