// Claiming an online box by the device authorization grant (RFC 8628; ARCHITECTURE §3 "Claiming a
// box" (b)): the box's two HTTP calls, authenticated with its device JWT, and what they answer.
import Type, { type Static } from 'typebox'

/** The box asks for a code (RFC 8628 §3.1); the answer is `DeviceCodeGrant`. */
export const DEVICE_CODE_PATH = '/api/device/device-authorization'
/** The box polls with `{ device_code }` (RFC 8628 §3.4); 200 means claimed, 400 carries a `DevicePollError`. */
export const DEVICE_POLL_PATH = '/api/device/device-authorization/poll'

/** RFC 8628 §3.2, field names as in the RFC. */
export const DeviceCodeGrant = Type.Object({
  device_code: Type.String({ minLength: 1, maxLength: 256 }),
  user_code: Type.String({ minLength: 1, maxLength: 32, description: 'As the user types it, e.g. `BDFG-HJKL`' }),
  verification_uri: Type.String({ minLength: 1, description: 'Where the user types the code' }),
  verification_uri_complete: Type.String({ minLength: 1, description: 'The same with the code filled in: show it as a QR code' }),
  expires_in: Type.Integer({ minimum: 1, description: 'Seconds until the code expires; then ask for a new one' }),
  interval: Type.Integer({ minimum: 1, description: 'Seconds to wait between polls' })
})
export type DeviceCodeGrant = Static<typeof DeviceCodeGrant>

export const DevicePollBody = Type.Object({ device_code: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false })

/** RFC 8628 §3.5 error codes: wait, wait longer, give up (denied), start again (expired). */
const DevicePollErrorCode = Type.Union([Type.Literal('authorization_pending'), Type.Literal('slow_down'), Type.Literal('access_denied'), Type.Literal('expired_token')])
export type DevicePollErrorCode = Static<typeof DevicePollErrorCode>

/** A poll that has no claim to report: the uniform error body whose `error` is the RFC's code (RFC 6749 §5.2). */
export const DevicePollError = Type.Object({
  statusCode: Type.Literal(400),
  code: Type.String({ description: 'The RFC code in upper case, e.g. `AUTHORIZATION_PENDING`' }),
  error: DevicePollErrorCode,
  message: Type.String(),
  interval: Type.Integer({ minimum: 1, description: 'Seconds to wait before the next poll' })
})
export type DevicePollError = Static<typeof DevicePollError>
