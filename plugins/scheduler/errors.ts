// Error codes of the scheduler plugin, in the uniform body of server/errors.ts.
import createError from '@fastify/error'

export const WorkerNotFound = createError('WORKER_NOT_FOUND', 'No worker %s', 404)
export const WorkerNameTaken = createError('WORKER_NAME_TAKEN', 'A worker named %s exists already', 409)
export const WorkerKeyInvalid = createError('WORKER_KEY_INVALID', 'A valid worker key is needed in "Authorization: Bearer <key>"', 401)
export const InvalidWorkerEndpoint = createError('INVALID_WORKER_ENDPOINT', '%s', 400)
/** No worker can take a tenant right now; the message says why (none registered, none active, none with room). */
export const NoCapacity = createError('NO_CAPACITY', '%s', 503)
