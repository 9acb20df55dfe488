import t from 'tap'
import {
  exportPrivateKeyPem, exportPublicKeyPem, exportPublicKeyRaw, generateDeviceKeyPair, importPrivateKeyPem,
  importPublicKey, importPublicKeyPem, importPublicKeyRaw, publicKeyOf
} from '../../protocol/device-keys.js'
import { generateKeyPairSync } from 'node:crypto'

t.test('raw and PEM encodings round-trip to the same key', async (t) => {
  const { publicKey, privateKey } = generateDeviceKeyPair()
  const raw = exportPublicKeyRaw(publicKey)
  t.equal(Buffer.from(raw, 'base64url').length, 32)
  t.ok(importPublicKeyRaw(raw).equals(publicKey))
  const pem = exportPublicKeyPem(publicKey)
  t.match(pem, /^-----BEGIN PUBLIC KEY-----/)
  t.ok(importPublicKeyPem(pem).equals(publicKey))
  t.ok(importPublicKey(pem).equals(publicKey))
  t.ok(importPublicKey(raw).equals(publicKey))
  const privatePem = exportPrivateKeyPem(privateKey)
  t.match(privatePem, /^-----BEGIN PRIVATE KEY-----/)
  t.equal(exportPublicKeyRaw(publicKeyOf(importPrivateKeyPem(privatePem))), raw)
})

t.test('bad or foreign keys are refused', async (t) => {
  t.throws(() => importPublicKeyRaw('abc'), /32 bytes/)
  t.throws(() => importPublicKeyRaw(Buffer.alloc(31).toString('base64url')), /32 bytes/)
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
  t.throws(() => importPublicKeyPem(rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString()), /Ed25519/)
  t.throws(() => exportPrivateKeyPem(rsa.privateKey), /Ed25519/)
})
