// HTTP authentication of boxes: `Authorization: Bearer <device JWT>`, checked by the one verifier
// that MQTT and the tunnel use (verifier.ts). Routes declare it like `requireUser`, with the route.
import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify'
import { DeviceJwtError } from '../../protocol/device-jwt.js'
import { DeviceUnauthenticated } from './errors.js'
import type { VerifyDeviceToken } from './verifier.js'

export function requireDevice (verify: VerifyDeviceToken): onRequestAsyncHookHandler {
  return async function requireDevice (request) {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')
    if (match?.[1] === undefined) throw new DeviceUnauthenticated('no bearer token')
    try {
      request.deviceId = await verify(match[1])
    } catch (err) {
      if (!(err instanceof DeviceJwtError)) throw err
      request.log.warn({ deviceId: err.deviceId, code: err.code }, 'device request refused')
      throw new DeviceUnauthenticated(`${err.code}: ${err.message}`)
    }
  }
}

/** The box of a route guarded by `requireDevice`. */
export function deviceOf (request: FastifyRequest): string {
  if (request.deviceId === null) throw new Error('route is missing its requireDevice hook')
  return request.deviceId
}
