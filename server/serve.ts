// The process around the app: build it from config, listen, and close with grace on SIGTERM/SIGINT
// (stop accepting, let in-flight requests finish, close the database and the plugins' resources).
import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.js'
import { instanceUrl, type Config } from './config.js'
import { StartupError } from './startup-error.js'

export async function serve (config: Config): Promise<FastifyInstance> {
  const app = await buildApp({ config })
  try {
    await app.listen({ host: config.host, port: config.port })
  } catch (err) {
    await app.close()
    throw new StartupError(`Cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`)
  }
  closeWithGrace({ delay: config.shutdownTimeout, logger: app.log }, async ({ signal, err }) => {
    if (err !== undefined) app.log.error({ err }, 'closing after an unexpected error')
    else app.log.info({ signal }, 'closing: no new connections, waiting for in-flight requests')
    await app.close()
    app.log.info('closed')
  })
  app.log.info({ console: config.publicUrl, instances: instanceUrl(config, '<slug>') }, `OpenClaw Cloud is serving at ${config.publicUrl} (API docs at ${config.publicUrl}/docs)`)
  return app
}
