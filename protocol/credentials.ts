// The credential file the factory writes and the box reads at first boot (ARCHITECTURE §3 "Device
// identity"). It holds the box's private key, so it is written 0600 and never leaves the station
// except onto that one box.
import Type from 'typebox'
import { exportPublicKeyRaw, importPrivateKeyPem, publicKeyOf } from './device-keys.js'
import { DEVICE_ID_PATTERN } from './device-id.js'
import { check } from './validate.js'

export const CREDENTIALS_VERSION = 1

export const DeviceCredentials = Type.Object({
  version: Type.Literal(CREDENTIALS_VERSION),
  deviceId: Type.String({ pattern: DEVICE_ID_PATTERN.source }),
  model: Type.String({ minLength: 1, maxLength: 64 }),
  privateKey: Type.String({ pattern: '^-----BEGIN PRIVATE KEY-----', description: 'Ed25519, PKCS8 PEM' }),
  publicKey: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$', description: 'Ed25519, 32 bytes base64url' }),
  serverUrl: Type.String({ pattern: '^https?://' }),
  mqttUrl: Type.String({ pattern: '^(mqtts?|wss?)://' }),
  batchId: Type.String({ minLength: 1, maxLength: 64 }),
  createdAt: Type.String({ format: 'date-time' })
}, { additionalProperties: false })
export type DeviceCredentials = Type.Static<typeof DeviceCredentials>

export class CredentialsError extends Error {
  override readonly name = 'CredentialsError'
  constructor (readonly field: string, message: string) {
    super(`${field === '' ? 'credentials' : field}: ${message}`)
  }
}

/** Validates a credential file (text or parsed JSON); throws CredentialsError naming the bad field. */
export function parseDeviceCredentials (input: unknown): DeviceCredentials {
  let value = input
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input)
    } catch {
      throw new CredentialsError('', 'not JSON')
    }
  }
  const checked = check(DeviceCredentials, value)
  if (!checked.ok) throw new CredentialsError(checked.issue.path.replace(/^\//, ''), checked.issue.message)
  let derived: string
  try {
    derived = exportPublicKeyRaw(publicKeyOf(importPrivateKeyPem(checked.value.privateKey)))
  } catch (err) {
    throw new CredentialsError('privateKey', `not an Ed25519 PKCS8 key (${(err as Error).message})`)
  }
  if (derived !== checked.value.publicKey) throw new CredentialsError('publicKey', 'does not belong to privateKey')
  return checked.value
}
