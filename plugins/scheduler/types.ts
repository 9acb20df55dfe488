// What the scheduler plugin decorates on Fastify.
import type { Worker } from './entities.js'
import type { Workers } from './workers.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Workers (Docker hosts), their Docker clients, and placement. */
    workers: Workers
  }
  interface FastifyRequest {
    /** The worker a worker-key request authenticated as (worker routes only). */
    worker: Worker | null
  }
}
