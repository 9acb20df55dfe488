import t from 'tap'
import { generateDeviceId } from '../../protocol/device-id.js'
import { DeviceJwtErrorCode, signDeviceJwt } from '../../protocol/device-jwt.js'
import { exportPublicKeyRaw, generateDeviceKeyPair } from '../../protocol/device-keys.js'
import { Device } from '../../plugins/devices/entities.js'
import { forEachDialect } from '../helpers/app.js'
import { registerBoxes, startDevicesApp } from './helpers.js'

forEachDialect(t, 'pre-registering a batch is idempotent per device id', async (t, dialect) => {
  const app = await startDevicesApp(t, { dialect })
  const hash = 'scrypt$1024$8$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g'
  const boxes = Array.from({ length: 1200 }, () => ({ deviceId: generateDeviceId(), publicKey: exportPublicKeyRaw(generateDeviceKeyPair().publicKey), claimCodeHash: hash }))

  const first = await app.devices.registerBatch({ batchId: 'b-2026-11', model: 'box-1', devices: boxes })
  t.equal(first.created.length, 1200, 'thousands in one request, all created')
  t.same([first.unchanged, first.conflicting], [[], []])

  const otherKey = exportPublicKeyRaw(generateDeviceKeyPair().publicKey)
  const again = await app.devices.registerBatch({
    batchId: 'b-2026-11',
    model: 'box-1',
    devices: [...boxes.slice(0, 10), { ...boxes[10]!, publicKey: otherKey }, { deviceId: generateDeviceId(), publicKey: otherKey, claimCodeHash: hash }]
  })
  t.equal(again.unchanged.length, 10, 'the same devices again are unchanged')
  t.same(again.conflicting, [{ deviceId: boxes[10]!.deviceId, reason: 'already registered with another public key' }], 'a different key for a known id conflicts')
  t.equal(again.created.length, 1, 'a new id in a known batch is created')

  const stored = await app.orm.em.fork().findOneOrFail(Device, { id: boxes[10]!.deviceId })
  t.equal(stored.publicKey, boxes[10]!.publicKey, 'a conflicting entry leaves the stored device as it was')

  const other = await app.devices.registerBatch({ batchId: 'b-other', model: 'box-1', devices: [boxes[0]!] })
  t.same(other.conflicting, [{ deviceId: boxes[0]!.deviceId, reason: 'already registered in batch b-2026-11' }])

  const summary = await app.devices.getBatch('b-2026-11')
  t.match(summary, { batchId: 'b-2026-11', model: 'box-1', devices: 1201, states: { registered: 1201 } })
  await t.rejects(app.devices.getBatch('nope'), { code: 'BATCH_NOT_FOUND', statusCode: 404 })
  await t.rejects(app.devices.registerBatch({ batchId: 'b-2026-11', model: 'box-2', devices: [boxes[0]!] }), { code: 'BATCH_CONFLICT', statusCode: 409 })
  await t.rejects(app.devices.registerBatch({ batchId: 'dup', model: 'box-1', devices: [boxes[0]!, boxes[0]!] }), { code: 'BATCH_CONFLICT', message: /appears twice/ })
})

t.test('the device verifier checks key, audience, lifetime, registration and revocation', async (t) => {
  const app = await startDevicesApp(t)
  const [box, other] = await registerBoxes(app, 2)
  const verify = app.devices.verifyToken

  t.equal(await verify(await box!.token()), box!.id, 'a fresh token names its device')
  const hourAgo = new Date(Date.now() - 2 * 3600_000)
  await t.rejects(verify(await box!.token({ now: hourAgo, ttlSeconds: 3600 })), { code: DeviceJwtErrorCode.expired })
  await t.rejects(verify(await box!.token({ privateKey: other!.privateKey })), { code: DeviceJwtErrorCode.badSignature })
  await t.rejects(verify(await box!.token({ audience: 'https://elsewhere.example' })), { code: DeviceJwtErrorCode.wrongAudience })
  const skewed = new Date(Date.now() + 20_000)
  t.equal(await verify(await box!.token({ now: skewed })), box!.id, 'a box clock 20 s fast is tolerated')

  const stranger = generateDeviceKeyPair()
  const unknown = await signDeviceJwt({ deviceId: generateDeviceId(), privateKey: stranger.privateKey, audience: app.config.publicUrl })
  await t.rejects(verify(unknown), { code: DeviceJwtErrorCode.unknownDevice })

  await app.devices.revoke(box!.id)
  await t.rejects(verify(await box!.token()), { code: DeviceJwtErrorCode.revoked })
  await app.devices.restore(box!.id)
  t.equal(await verify(await box!.token()), box!.id, 'a restored box is accepted again')
})
