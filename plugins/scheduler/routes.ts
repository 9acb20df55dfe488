// Worker routes: admins create, list, drain and remove workers; workers register and heartbeat with
// their key (Authorization: Bearer ocw_...).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import Type from 'typebox'
import { WorkerKeyInvalid } from './errors.js'
import type { Worker } from './entities.js'
import { HeartbeatBody, NewWorkerAnswer, NewWorkerBody, RegisterBody, viewWorker, WorkerIdParams, WorkerView } from './schemas.js'
import type { Workers } from './workers.js'

export const adminWorkerRoutes = (workers: Workers): FastifyPluginAsyncTypebox => async (app) => {
  const tags = ['workers']
  app.addHook('onRequest', app.requireUser({ scopes: ['admin'] }))

  app.post('/api/admin/workers', {
    schema: { tags, summary: 'Create a worker and its key', body: NewWorkerBody, response: { 201: NewWorkerAnswer } }
  }, async (request, reply) => {
    const { worker, key } = await workers.create(request.body.name, request.body.labels)
    return reply.code(201).send({ worker: viewWorker(worker), key })
  })

  app.get('/api/admin/workers', {
    schema: { tags, summary: 'List workers', response: { 200: Type.Array(WorkerView) } }
  }, async () => (await workers.list()).map(viewWorker))

  app.post('/api/admin/workers/:id/drain', {
    schema: { tags, summary: 'Stop placing new instances on a worker', params: WorkerIdParams, response: { 200: WorkerView } }
  }, async (request) => viewWorker(await workers.setState(request.params.id, 'draining')))

  app.post('/api/admin/workers/:id/activate', {
    schema: { tags, summary: 'Place new instances on a drained worker again', params: WorkerIdParams, response: { 200: WorkerView } }
  }, async (request) => viewWorker(await workers.setState(request.params.id, 'active')))

  app.delete('/api/admin/workers/:id', {
    schema: { tags, summary: 'Remove a worker', params: WorkerIdParams }
  }, async (request, reply) => {
    await workers.remove(request.params.id)
    return reply.code(204).send()
  })
}

export const workerAgentRoutes = (workers: Workers): FastifyPluginAsyncTypebox => async (app) => {
  const tags = ['workers']
  app.decorateRequest('worker', null)
  app.addHook('onRequest', async (request) => {
    const match = /^Bearer (ocw_[A-Za-z0-9_-]{20,})$/.exec(request.headers.authorization ?? '')
    const worker = match === null ? null : await workers.authenticate(match[1]!)
    if (worker === null) throw new WorkerKeyInvalid()
    request.worker = worker
  })
  const workerOf = (request: FastifyRequest): Worker => request.worker!

  app.post('/api/workers/register', {
    schema: { tags, summary: 'A worker announces its Docker endpoint, labels and capacity', body: RegisterBody, response: { 200: WorkerView } }
  }, async (request) => viewWorker(await workers.register(workerOf(request).id, request.body)))

  app.post('/api/workers/heartbeat', {
    schema: { tags, summary: 'A worker says it is alive, with its live stats', body: HeartbeatBody, response: { 200: WorkerView } }
  }, async (request) => viewWorker(await workers.heartbeat(workerOf(request).id, request.body)))
}
