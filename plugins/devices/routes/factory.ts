// The factory's pre-registration API (role `factory`, scope `factory:register`): public keys and
// claim-code hashes of a batch, idempotent per device id, thousands per request.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { BatchRegistration } from '../registry.js'
import { BatchOutcomeView, BatchParams, BatchSummaryView } from '../schemas.js'

/** Room for the registry's 20,000 devices per request (about 250 bytes each). */
const BATCH_BODY_LIMIT = 8 * 1024 * 1024

export const factoryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['factory']
  app.addHook('onRequest', app.requireUser({ scopes: ['factory:register'] }))

  app.post('/api/factory/batches', {
    bodyLimit: BATCH_BODY_LIMIT,
    schema: {
      tags,
      summary: 'Pre-register devices of a batch; per device id: created, unchanged (sent before) or conflicting (stored differently, left as it was)',
      body: BatchRegistration,
      response: { 200: BatchOutcomeView }
    }
  }, async (request) => {
    const outcome = await app.devices.registerBatch(request.body)
    request.log.info({ batchId: outcome.batchId, created: outcome.created.length, unchanged: outcome.unchanged.length, conflicting: outcome.conflicting.length, by: request.user?.id }, 'batch registered')
    return outcome
  })

  app.get('/api/factory/batches/:id', {
    schema: { tags, summary: 'A batch: its model and how many of its devices are in each state', params: BatchParams, response: { 200: BatchSummaryView } }
  }, async (request) => await app.devices.getBatch(request.params.id))
}
