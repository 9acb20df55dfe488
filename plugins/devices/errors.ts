// Error codes of the devices plugin, in the uniform body of server/errors.ts.
import createError from '@fastify/error'

export const DeviceNotFound = createError('DEVICE_NOT_FOUND', 'No device %s', 404)
export const BatchNotFound = createError('BATCH_NOT_FOUND', 'No batch %s', 404)
export const BatchConflict = createError('BATCH_CONFLICT', '%s', 409)
export const InvalidCommand = createError('INVALID_COMMAND', '%s', 400)
export const InvalidTelemetryRange = createError('INVALID_TELEMETRY_RANGE', '%s', 400)
// One answer for an unknown box and a wrong code, so a claim attempt never tells whether an id exists.
export const InvalidClaimCode = createError('INVALID_CLAIM_CODE', 'That device id and claim code do not match a box that can be claimed; check both on the label', 400)
export const ClaimLocked = createError('CLAIM_LOCKED', 'Too many wrong claim codes for this box; try again in %d seconds', 429)
export const AlreadyClaimed = createError('ALREADY_CLAIMED', 'This box belongs to another account; its owner must release or transfer it first', 409)
export const DeviceRevoked = createError('DEVICE_REVOKED', 'This box has been revoked; contact support', 403)
export const RecipientNotFound = createError('RECIPIENT_NOT_FOUND', 'No account has the email %s', 404)
export const CannotTransferToSelf = createError('CANNOT_TRANSFER_TO_SELF', 'You own this box already; name another account', 400)
export const DeviceUnauthenticated = createError('DEVICE_UNAUTHENTICATED', 'This route needs `Authorization: Bearer <device JWT>`: %s', 401)
