// Error codes of the routing plugin's API, in the uniform body of server/errors.ts.
import createError from '@fastify/error'

export const InvalidAuthorizationRequest = createError('INVALID_AUTHORIZATION_REQUEST', '%s', 400)
export const EdgeHostInvalid = createError('EDGE_HOST_INVALID', '%s', 400)
