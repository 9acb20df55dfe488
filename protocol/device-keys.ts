// Ed25519 device keys (ARCHITECTURE §3): the box keeps the private key (PKCS8 PEM in its
// credential file); the cloud stores only the public key, as 32 raw bytes in base64url or SPKI PEM.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'

export interface DeviceKeyPair {
  publicKey: KeyObject
  privateKey: KeyObject
}

const RAW_PUBLIC_KEY_BYTES = 32

export function generateDeviceKeyPair (): DeviceKeyPair {
  return generateKeyPairSync('ed25519')
}

function assertEd25519 (key: KeyObject): void {
  if (key.asymmetricKeyType !== 'ed25519') throw new TypeError(`expected an Ed25519 key, got ${key.asymmetricKeyType ?? key.type}`)
}

/** The 32-byte public key, base64url without padding (the JWK `x` value, RFC 8037 §2). */
export function exportPublicKeyRaw (publicKey: KeyObject): string {
  assertEd25519(publicKey)
  const { x } = publicKey.export({ format: 'jwk' })
  if (x === undefined) throw new TypeError('public key has no x coordinate')
  return x
}

export function importPublicKeyRaw (base64url: string): KeyObject {
  if (!/^[A-Za-z0-9_-]{43}$/.test(base64url) || Buffer.from(base64url, 'base64url').length !== RAW_PUBLIC_KEY_BYTES) {
    throw new TypeError('an Ed25519 public key is 32 bytes in base64url (43 characters)')
  }
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: base64url }, format: 'jwk' })
}

export function exportPublicKeyPem (publicKey: KeyObject): string {
  assertEd25519(publicKey)
  return publicKey.export({ type: 'spki', format: 'pem' }).toString()
}

export function importPublicKeyPem (pem: string): KeyObject {
  const key = createPublicKey({ key: pem, format: 'pem' })
  assertEd25519(key)
  return key
}

/** Either encoding the cloud may have stored: SPKI PEM or base64url raw. */
export function importPublicKey (encoded: string): KeyObject {
  return encoded.trimStart().startsWith('-----BEGIN') ? importPublicKeyPem(encoded) : importPublicKeyRaw(encoded)
}

export function exportPrivateKeyPem (privateKey: KeyObject): string {
  assertEd25519(privateKey)
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
}

export function importPrivateKeyPem (pem: string): KeyObject {
  const key = createPrivateKey({ key: pem, format: 'pem' })
  assertEd25519(key)
  return key
}

export function publicKeyOf (privateKey: KeyObject): KeyObject {
  return createPublicKey(privateKey)
}
