// Error codes of the tenants plugin, in the uniform body of server/errors.ts.
import createError from '@fastify/error'

export const TenantNotFound = createError('TENANT_NOT_FOUND', 'No instance %s', 404)
export const TenantNameTaken = createError('TENANT_NAME_TAKEN', 'The name %s is taken; pick another', 409)
export const InvalidTenantName = createError('INVALID_TENANT_NAME', '%s', 400)
export const QuotaExceeded = createError('QUOTA_EXCEEDED', '%s', 403)
export const NoDocker = createError('NO_DOCKER', '%s', 503)
export const NoContainer = createError('NO_CONTAINER', '%s', 409)
