// Small server plugins for testing the core: the loader's rules and the HTTP basics every route shares.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import fp from 'fastify-plugin'
import { setTimeout as sleep } from 'node:timers/promises'
import Type from 'typebox'
import type { ServerPlugin } from '../../server/plugins.js'

function fixture (name: string, dependencies: string[] = [], routes?: FastifyPluginAsyncTypebox): ServerPlugin {
  return {
    description: `test plugin ${name}`,
    plugin: fp(async (app) => { if (routes !== undefined) await app.register(routes) }, { name, dependencies })
  }
}

/** Routes with a body schema, one that logs a secret, one that is slow and one that throws. */
const echoRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/api/echo', {
    schema: {
      body: Type.Object({ name: Type.String({ minLength: 1 }), count: Type.Optional(Type.Integer()) }, { additionalProperties: false })
    }
  }, async (request) => ({ received: request.body }))

  app.post('/api/sign-in-like', {
    schema: { body: Type.Object({ email: Type.String(), password: Type.String() }) }
  }, async (request) => {
    request.log.info({ body: request.body, token: 'tok_abc123' }, 'sign-in attempt')
    return { ok: true }
  })

  app.get('/api/slow', async () => {
    await sleep(1500)
    return { finished: true }
  })

  app.get('/api/broken', async () => {
    throw new Error('database password is hunter2 at /srv/secret/path')
  })
}

export const scheduler = fixture('scheduler')
export const portainer = fixture('portainer', ['scheduler'])
export const echo = fixture('echo', [], echoRoutes)
export const cycleA = fixture('cycle-a', ['cycle-b'])
export const cycleB = fixture('cycle-b', ['cycle-a'])
