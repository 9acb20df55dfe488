// The box's half of the device authorization grant (RFC 8628; device-flow.ts): ask for a code, poll
// until the owner approved it. Device-JWT authenticated; asking is rate limited per box like label
// claims are per client, and polling too fast is answered `slow_down`.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { DEVICE_CODE_PATH, DEVICE_POLL_PATH, DeviceCodeGrant, DevicePollBody, DevicePollError, type DevicePollErrorCode } from '../../../protocol/device-flow.js'
import { deviceOf, requireDevice } from '../device-auth.js'
import type { DeviceFlow } from '../device-flow.js'
import { DeviceStatusView, viewDeviceStatus } from '../schemas.js'

const POLL_MESSAGES: Record<DevicePollErrorCode, string> = {
  authorization_pending: 'The owner has not approved the code yet; poll again after `interval` seconds',
  slow_down: 'Polled too soon; wait `interval` seconds (5 more than before) between polls',
  access_denied: 'The code was denied; show it and ask for a new code later',
  expired_token: 'The code has expired or is unknown; ask for a new one'
}

// Also the shape of validation errors on this route, which carry no interval.
const PollErrorView = Type.Object({ ...DevicePollError.properties, error: Type.String(), statusCode: Type.Integer(), interval: Type.Optional(DevicePollError.properties.interval) })

export const deviceFlowRoutes = (flow: DeviceFlow): FastifyPluginAsyncTypebox => async (app) => {
  const tags = ['device']
  const { devices, config } = app
  app.addHook('onRequest', requireDevice(devices.verifyToken))

  app.post(DEVICE_CODE_PATH, {
    // Runs after requireDevice (an instance hook), so the limit is per box, not per shared address.
    config: { rateLimit: { max: config.claimRateLimit, timeWindow: config.claimRateWindow, keyGenerator: (request) => request.deviceId ?? request.ip } },
    schema: {
      tags,
      summary: 'The calling box asks for a device code (RFC 8628 §3.1–3.2): it shows verification_uri_complete as a QR code and user_code as text',
      response: { 200: DeviceCodeGrant }
    }
  }, async (request) => await flow.start(deviceOf(request), request.ip))

  app.post(DEVICE_POLL_PATH, {
    schema: {
      tags,
      summary: 'The calling box polls its device code (RFC 8628 §3.4–3.5): 200 once its owner approved, else 400 with the RFC error code',
      body: DevicePollBody,
      response: { 200: DeviceStatusView, 400: PollErrorView }
    }
  }, async (request, reply) => {
    const outcome = await flow.poll(deviceOf(request), request.body.device_code)
    if ('error' in outcome) {
      const body: DevicePollError = { statusCode: 400, code: outcome.error.toUpperCase(), error: outcome.error, message: POLL_MESSAGES[outcome.error], interval: outcome.interval }
      return await reply.code(400).send(body)
    }
    return viewDeviceStatus(outcome.claimed, await devices.claims.desiredConfig(outcome.claimed))
  })
}
