// Routes of the core: liveness, readiness, the OpenAPI document, server info, and the admin's plugin list.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { databaseTarget } from './db.js'
import { errorBody } from './errors.js'
import { packageInfo } from './package-info.js'
import { pluginDependencies, pluginName, type ServerPlugin } from './plugins.js'

const READY_TIMEOUT_MS = 2000

const PluginInfo = Type.Object({
  name: Type.String(),
  description: Type.String(),
  dependencies: Type.Array(Type.String())
})

function describePlugin (definition: ServerPlugin): { name: string, description: string, dependencies: string[] } {
  return { name: pluginName(definition), description: definition.description, dependencies: pluginDependencies(definition) }
}

export const coreRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/health', {
    schema: {
      tags: ['operations'],
      summary: 'Liveness: the process is up and serving',
      response: { 200: Type.Object({ status: Type.Literal('ok'), uptimeSeconds: Type.Number() }) }
    }
  }, async () => ({ status: 'ok' as const, uptimeSeconds: Math.round(process.uptime()) }))

  app.get('/ready', {
    schema: {
      tags: ['operations'],
      summary: 'Readiness: the database and every enabled plugin can serve',
      response: {
        200: Type.Object({ status: Type.Literal('ready'), checks: Type.Record(Type.String(), Type.String()) }),
        503: Type.Object({
          statusCode: Type.Integer(), code: Type.String(), error: Type.String(), message: Type.String(),
          checks: Type.Record(Type.String(), Type.String())
        })
      }
    }
  }, async (_request, reply) => {
    const { ready, checks } = await app.readiness.run(READY_TIMEOUT_MS)
    if (ready) return { status: 'ready' as const, checks }
    const failing = Object.entries(checks).filter(([, outcome]) => outcome !== 'ok').map(([name, outcome]) => `${name}: ${outcome}`)
    return reply.code(503).send({ ...errorBody(503, 'NOT_READY', `Not ready: ${failing.join('; ')}`), checks })
  })

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  app.get('/api/info', {
    schema: {
      tags: ['operations'],
      summary: 'What this server is: version, installation, database kind, enabled plugins',
      response: {
        200: Type.Object({
          name: Type.String(),
          version: Type.String(),
          installation: Type.Object({ id: Type.String(), createdAt: Type.String() }),
          database: Type.Union([Type.Literal('sqlite'), Type.Literal('postgresql')]),
          publicUrl: Type.String(),
          appsDomain: Type.String(),
          plugins: Type.Array(Type.String())
        })
      }
    }
  }, async () => ({
    name: packageInfo.name,
    version: packageInfo.version,
    installation: app.installation,
    database: databaseTarget(app.config.databaseUrl, app.config.dataDir).dialect,
    publicUrl: app.config.publicUrl,
    appsDomain: app.config.appsDomain,
    plugins: app.plugins.enabled.map(pluginName)
  }))
}

/** The core's admin routes; `app.ts` puts them behind the admin scope when an identity plugin runs. */
export const coreAdminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/admin/plugins', {
    schema: {
      tags: ['admin'],
      summary: 'Server plugins: the enabled ones in load order, and all installed ones',
      response: { 200: Type.Object({ enabled: Type.Array(PluginInfo), installed: Type.Array(PluginInfo) }) }
    }
  }, async () => ({
    enabled: app.plugins.enabled.map(describePlugin),
    installed: app.plugins.installed.map(describePlugin)
  }))
}
