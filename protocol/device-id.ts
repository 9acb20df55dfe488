// Device ids (ARCHITECTURE §3 "Device identity"): `ocb_` + 16 Crockford base32 characters = 80 bits.
import { normaliseCrockford, randomCrockford } from './crockford.js'

export const DEVICE_ID_PREFIX = 'ocb_'
export const DEVICE_ID_BODY_LENGTH = 16
export const DEVICE_ID_PATTERN = /^ocb_[0-9A-HJKMNP-TV-Z]{16}$/

export function generateDeviceId (): string {
  return DEVICE_ID_PREFIX + randomCrockford(DEVICE_ID_BODY_LENGTH)
}

/** True only for the canonical form (as generated); use normaliseDeviceId for user input. */
export function isDeviceId (value: unknown): value is string {
  return typeof value === 'string' && DEVICE_ID_PATTERN.test(value)
}

/**
 * Canonical id from what a person typed: prefix optional and case-insensitive, body
 * case-insensitive with Crockford aliases (I/L -> 1, O -> 0), hyphens and spaces ignored.
 */
export function normaliseDeviceId (input: string): string | undefined {
  const trimmed = input.trim()
  const body = trimmed.toLowerCase().startsWith(DEVICE_ID_PREFIX) ? trimmed.slice(DEVICE_ID_PREFIX.length) : trimmed
  const canonical = normaliseCrockford(body)
  if (canonical?.length !== DEVICE_ID_BODY_LENGTH) return undefined
  return DEVICE_ID_PREFIX + canonical
}
