import t, { type Test } from 'tap'
import type { KeyObject } from 'node:crypto'
import { SignJWT } from 'jose'
import { generateDeviceId } from '../../protocol/device-id.js'
import { generateDeviceKeyPair } from '../../protocol/device-keys.js'
import { DeviceJwtError, signDeviceJwt, verifyDeviceJwt, type VerifyDeviceJwtOptions } from '../../protocol/device-jwt.js'

const audience = 'https://cloud.example'
const deviceId = generateDeviceId()
const keys = generateDeviceKeyPair()
const now = new Date('2030-01-01T12:00:00Z')
const nowSeconds = now.getTime() / 1000

function options (overrides: Partial<VerifyDeviceJwtOptions> = {}): VerifyDeviceJwtOptions {
  return { audience, now, publicKeyFor: (id) => id === deviceId ? keys.publicKey : undefined, ...overrides }
}

async function rejectsWith (t: Test, promise: Promise<unknown>, code: string): Promise<void> {
  const err = await promise.then(() => undefined, (e: unknown) => e)
  t.ok(err instanceof DeviceJwtError, `rejects with a DeviceJwtError (${String(err)})`)
  t.equal((err as DeviceJwtError).code, code)
}

/** A token with arbitrary claims, signed with the device key: what a buggy or hostile box could send. */
function handMade (claims: Record<string, unknown>, key: KeyObject = keys.privateKey, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid: deviceId, ...header }).sign(key)
}

t.test('a signed token verifies to its device id with the documented claims', async (t) => {
  const token = await signDeviceJwt({ deviceId, privateKey: keys.privateKey, audience, ttlSeconds: 600, now })
  t.equal(await verifyDeviceJwt(token, options()), deviceId)
  const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()))
  t.match(header, { alg: 'EdDSA', kid: deviceId })
  t.match(payload, { sub: deviceId, aud: audience, iat: nowSeconds, exp: nowSeconds + 600, jti: /^[A-Za-z0-9_-]{22}$/ })
  const other = await signDeviceJwt({ deviceId, privateKey: keys.privateKey, audience, now })
  t.not(JSON.parse(Buffer.from(other.split('.')[1]!, 'base64url').toString()).jti, payload.jti, 'jti is unique')
})

t.test('signing refuses lifetimes over an hour and non-device ids', async (t) => {
  await t.rejects(signDeviceJwt({ deviceId, privateKey: keys.privateKey, audience, ttlSeconds: 3601 }), RangeError)
  await t.rejects(signDeviceJwt({ deviceId, privateKey: keys.privateKey, audience, ttlSeconds: 0 }), RangeError)
  await t.rejects(signDeviceJwt({ deviceId: 'ocb_short', privateKey: keys.privateKey, audience }), TypeError)
})

t.test('each failure has its own code', async (t) => {
  const good = await signDeviceJwt({ deviceId, privateKey: keys.privateKey, audience, ttlSeconds: 600, now })

  await rejectsWith(t, verifyDeviceJwt('not.a.jwt', options()), 'DEVICE_JWT_MALFORMED')
  await rejectsWith(t, verifyDeviceJwt('', options()), 'DEVICE_JWT_MALFORMED')

  const [h, p, s] = good.split('.') as [string, string, string]
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString())
  const tamperedPayload = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 60 })).toString('base64url')
  await rejectsWith(t, verifyDeviceJwt(`${h}.${tamperedPayload}.${s}`, options()), 'DEVICE_JWT_BAD_SIGNATURE')
  const flipped = s.slice(0, 10) + (s[10] === 'A' ? 'B' : 'A') + s.slice(11)
  await rejectsWith(t, verifyDeviceJwt(`${h}.${p}.${flipped}`, options()), 'DEVICE_JWT_BAD_SIGNATURE')

  const stranger = generateDeviceKeyPair()
  const wrongKey = await signDeviceJwt({ deviceId, privateKey: stranger.privateKey, audience, now })
  await rejectsWith(t, verifyDeviceJwt(wrongKey, options()), 'DEVICE_JWT_BAD_SIGNATURE')

  const unknown = await signDeviceJwt({ deviceId: generateDeviceId(), privateKey: keys.privateKey, audience, now })
  await rejectsWith(t, verifyDeviceJwt(unknown, options()), 'DEVICE_JWT_UNKNOWN_DEVICE')

  await rejectsWith(t, verifyDeviceJwt(good, options({ audience: 'https://other.example' })), 'DEVICE_JWT_WRONG_AUDIENCE')
  await rejectsWith(t, verifyDeviceJwt(good, options({ isRevoked: async (id) => id === deviceId })), 'DEVICE_JWT_REVOKED')
  t.equal(await verifyDeviceJwt(good, options({ isRevoked: () => false })), deviceId)
})

t.test('expiry honours the clock tolerance, both ways', async (t) => {
  const token = await signDeviceJwt({ deviceId, privateKey: keys.privateKey, audience, ttlSeconds: 60, now })
  const at = (seconds: number): Date => new Date((nowSeconds + seconds) * 1000)
  t.equal(await verifyDeviceJwt(token, options({ now: at(60 + 29) })), deviceId, 'inside the 30 s default skew')
  await rejectsWith(t, verifyDeviceJwt(token, options({ now: at(60 + 31) })), 'DEVICE_JWT_EXPIRED')
  await rejectsWith(t, verifyDeviceJwt(token, options({ now: at(60 + 5), clockToleranceSeconds: 0 })), 'DEVICE_JWT_EXPIRED')
  t.equal(await verifyDeviceJwt(token, options({ now: at(-29) })), deviceId, 'box clock slightly ahead is fine')
  await rejectsWith(t, verifyDeviceJwt(token, options({ now: at(-120) })), 'DEVICE_JWT_NOT_YET_VALID')
})

t.test('hand-made tokens that break the rules', async (t) => {
  const base = { sub: deviceId, aud: audience, jti: 'x', iat: nowSeconds }
  await rejectsWith(t, verifyDeviceJwt(await handMade({ ...base, exp: nowSeconds + 3601 }), options()), 'DEVICE_JWT_LIFETIME_TOO_LONG')
  t.equal(await verifyDeviceJwt(await handMade({ ...base, exp: nowSeconds + 3600 }), options()), deviceId, 'exactly one hour is allowed')
  await rejectsWith(t, verifyDeviceJwt(await handMade({ ...base, exp: nowSeconds + 60, sub: generateDeviceId() }), options()), 'DEVICE_JWT_MALFORMED')
  await rejectsWith(t, verifyDeviceJwt(await handMade({ ...base, iat: undefined, exp: nowSeconds + 60 }), options()), 'DEVICE_JWT_MALFORMED')
  await rejectsWith(t, verifyDeviceJwt(await handMade({ ...base, exp: undefined }), options()), 'DEVICE_JWT_MALFORMED')
  await rejectsWith(t, verifyDeviceJwt(await handMade({ ...base, exp: nowSeconds + 60 }, keys.privateKey, { kid: 'nope' }), options()), 'DEVICE_JWT_MALFORMED')
  // alg confusion: an HMAC token keyed with the public key's bytes must never pass.
  const hmac = await new SignJWT({ ...base, exp: nowSeconds + 60 }).setProtectedHeader({ alg: 'HS256', kid: deviceId })
    .sign(keys.publicKey.export({ format: 'der', type: 'spki' }))
  await rejectsWith(t, verifyDeviceJwt(hmac, options()), 'DEVICE_JWT_MALFORMED')
})
