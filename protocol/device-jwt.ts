// Device JWTs (ARCHITECTURE §3): a box proves its identity on HTTP, MQTT and the tunnel with a
// short-lived token it signs itself with its Ed25519 key. One verifier serves all three.
import { randomBytes, type KeyObject } from 'node:crypto'
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose'
import { isDeviceId } from './device-id.js'

export const DEVICE_JWT_ALG = 'EdDSA'
export const MAX_DEVICE_JWT_LIFETIME_SECONDS = 3600
export const DEFAULT_DEVICE_JWT_TTL_SECONDS = 900
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30

export const DeviceJwtErrorCode = {
  malformed: 'DEVICE_JWT_MALFORMED',
  unknownDevice: 'DEVICE_JWT_UNKNOWN_DEVICE',
  badSignature: 'DEVICE_JWT_BAD_SIGNATURE',
  wrongAudience: 'DEVICE_JWT_WRONG_AUDIENCE',
  expired: 'DEVICE_JWT_EXPIRED',
  notYetValid: 'DEVICE_JWT_NOT_YET_VALID',
  lifetimeTooLong: 'DEVICE_JWT_LIFETIME_TOO_LONG',
  revoked: 'DEVICE_JWT_REVOKED'
} as const
export type DeviceJwtErrorCode = typeof DeviceJwtErrorCode[keyof typeof DeviceJwtErrorCode]

export class DeviceJwtError extends Error {
  override readonly name = 'DeviceJwtError'
  constructor (readonly code: DeviceJwtErrorCode, message: string, readonly deviceId?: string) {
    super(message)
  }
}

export interface SignDeviceJwtOptions {
  deviceId: string
  privateKey: KeyObject
  audience: string
  ttlSeconds?: number
  now?: Date
}

export async function signDeviceJwt (options: SignDeviceJwtOptions): Promise<string> {
  const ttl = options.ttlSeconds ?? DEFAULT_DEVICE_JWT_TTL_SECONDS
  if (!Number.isInteger(ttl) || ttl <= 0 || ttl > MAX_DEVICE_JWT_LIFETIME_SECONDS) {
    throw new RangeError(`ttlSeconds must be an integer in 1..${MAX_DEVICE_JWT_LIFETIME_SECONDS}, got ${ttl}`)
  }
  if (!isDeviceId(options.deviceId)) throw new TypeError(`not a device id: ${options.deviceId}`)
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000)
  return await new SignJWT({})
    .setProtectedHeader({ alg: DEVICE_JWT_ALG, kid: options.deviceId, typ: 'JWT' })
    .setSubject(options.deviceId)
    .setAudience(options.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttl)
    .setJti(randomBytes(16).toString('base64url'))
    .sign(options.privateKey)
}

type MaybePromise<T> = T | Promise<T>

export interface VerifyDeviceJwtOptions {
  audience: string
  /** The device's stored public key, or undefined when no such device is registered. */
  publicKeyFor: (deviceId: string) => MaybePromise<KeyObject | undefined>
  isRevoked?: (deviceId: string) => MaybePromise<boolean>
  clockToleranceSeconds?: number
  now?: Date
}

/** Resolves to the authenticated device id, or rejects with a DeviceJwtError. */
export async function verifyDeviceJwt (token: string, options: VerifyDeviceJwtOptions): Promise<string> {
  const deviceId = claimedDeviceId(token)
  const publicKey = await options.publicKeyFor(deviceId)
  if (publicKey === undefined) throw new DeviceJwtError(DeviceJwtErrorCode.unknownDevice, `unknown device ${deviceId}`, deviceId)

  const tolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS
  const now = options.now ?? new Date()
  let payload
  try {
    ({ payload } = await jwtVerify(token, publicKey, {
      algorithms: [DEVICE_JWT_ALG],
      audience: options.audience,
      subject: deviceId,
      clockTolerance: tolerance,
      currentDate: now,
      requiredClaims: ['iat', 'exp', 'jti']
    }))
  } catch (err) {
    throw translateJoseError(err, deviceId)
  }

  const { iat, exp } = payload as { iat: number, exp: number }
  if (exp - iat > MAX_DEVICE_JWT_LIFETIME_SECONDS) {
    throw new DeviceJwtError(DeviceJwtErrorCode.lifetimeTooLong, `token lives ${exp - iat} s, more than ${MAX_DEVICE_JWT_LIFETIME_SECONDS} s`, deviceId)
  }
  // Without this a token "issued" in the future would stretch its useful life past the 1 h cap.
  if (iat > now.getTime() / 1000 + tolerance) {
    throw new DeviceJwtError(DeviceJwtErrorCode.notYetValid, 'token issued in the future (is the box clock right?)', deviceId)
  }
  if (await options.isRevoked?.(deviceId)) throw new DeviceJwtError(DeviceJwtErrorCode.revoked, `device ${deviceId} is revoked`, deviceId)
  return deviceId
}

/** The unverified kid/sub, only to look up the key; it is trusted after the signature checks out. */
function claimedDeviceId (token: string): string {
  let header, claims
  try {
    header = decodeProtectedHeader(token)
    claims = decodeJwt(token)
  } catch {
    throw new DeviceJwtError(DeviceJwtErrorCode.malformed, 'not a compact JWT')
  }
  if (header.alg !== DEVICE_JWT_ALG) throw new DeviceJwtError(DeviceJwtErrorCode.malformed, `alg must be ${DEVICE_JWT_ALG}, got ${String(header.alg)}`)
  if (!isDeviceId(header.kid)) throw new DeviceJwtError(DeviceJwtErrorCode.malformed, 'kid is not a device id')
  if (claims.sub !== header.kid) throw new DeviceJwtError(DeviceJwtErrorCode.malformed, 'sub must equal kid')
  return header.kid
}

function translateJoseError (err: unknown, deviceId: string): DeviceJwtError {
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return new DeviceJwtError(DeviceJwtErrorCode.badSignature, 'signature does not match the device key', deviceId)
  }
  if (err instanceof errors.JWTExpired) return new DeviceJwtError(DeviceJwtErrorCode.expired, 'token expired', deviceId)
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return new DeviceJwtError(DeviceJwtErrorCode.wrongAudience, 'token is for another audience', deviceId)
    if (err.claim === 'nbf') return new DeviceJwtError(DeviceJwtErrorCode.notYetValid, 'token not yet valid', deviceId)
    return new DeviceJwtError(DeviceJwtErrorCode.malformed, `claim ${err.claim}: ${err.message}`, deviceId)
  }
  const message = err instanceof Error ? err.message : String(err)
  return new DeviceJwtError(DeviceJwtErrorCode.malformed, message, deviceId)
}
