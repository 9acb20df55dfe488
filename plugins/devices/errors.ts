// Error codes of the devices plugin, in the uniform body of server/errors.ts.
import createError from '@fastify/error'

export const DeviceNotFound = createError('DEVICE_NOT_FOUND', 'No device %s', 404)
export const BatchNotFound = createError('BATCH_NOT_FOUND', 'No batch %s', 404)
export const BatchConflict = createError('BATCH_CONFLICT', '%s', 409)
export const InvalidCommand = createError('INVALID_COMMAND', '%s', 400)
export const InvalidTelemetryRange = createError('INVALID_TELEMETRY_RANGE', '%s', 400)
