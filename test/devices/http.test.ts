// The devices HTTP API with route-level auth: the factory's pre-registration, owners' boxes,
// telemetry and commands, and the admin's search, revoke and restore.
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { generateDeviceId } from '../../protocol/device-id.js'
import { exportPublicKeyRaw, generateDeviceKeyPair } from '../../protocol/device-keys.js'
import { commandResultTopic, commandsTopic, telemetryTopic } from '../../protocol/topics.js'
import { authHeaders, signUp, type SignedInUser } from '../helpers/auth.js'
import { closeClient, connectBox, registerClaimableBox, startDevicesApp, telemetry, waitFor } from './helpers.js'

const as = (who: SignedInUser) => authHeaders(who, 'bearer')
const HASH = 'scrypt$1024$8$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g'

async function claimed (app: FastifyInstance, owner: SignedInUser): Promise<Awaited<ReturnType<typeof registerClaimableBox>>> {
  const box = await registerClaimableBox(app)
  const answer = await app.inject({ method: 'POST', url: '/api/devices/claim', headers: as(owner), payload: { deviceId: box.id, code: box.code } })
  if (answer.statusCode !== 200) throw new Error(answer.body)
  return box
}

t.test('factory pre-registration: thousands per request, idempotent, conflicts listed; factory scope only', async (t) => {
  const app = await startDevicesApp(t)
  const factory = await signUp(app, { roles: ['factory'] })
  const devices = Array.from({ length: 3000 }, () => ({ deviceId: generateDeviceId(), publicKey: exportPublicKeyRaw(generateDeviceKeyPair().publicKey), claimCodeHash: HASH }))
  const register = (payload: object, who = factory) => app.inject({ method: 'POST', url: '/api/factory/batches', headers: as(who), payload })

  const first = await register({ batchId: 'b-2026-11-a', model: 'OpenClaw Box v1', devices })
  t.equal(first.statusCode, 200, first.body.slice(0, 300))
  t.equal(first.json().created.length, 3000, '3000 devices in one request')
  const again = await register({ batchId: 'b-2026-11-a', model: 'OpenClaw Box v1', devices: [...devices.slice(0, 5), { ...devices[5]!, claimCodeHash: `${HASH}x` }] })
  t.match(again.json(), { created: [], unchanged: devices.slice(0, 5).map((d) => d.deviceId), conflicting: [{ deviceId: devices[5]!.deviceId, reason: 'already registered with another claim code' }] })

  const summary = await app.inject({ url: '/api/factory/batches/b-2026-11-a', headers: as(factory) })
  t.match(summary.json(), { batchId: 'b-2026-11-a', model: 'OpenClaw Box v1', devices: 3000, states: { registered: 3000 } })
  t.equal((await app.inject({ url: '/api/factory/batches/nope', headers: as(factory) })).json().code, 'BATCH_NOT_FOUND')

  const user = await signUp(app)
  const refused = await register({ batchId: 'x', model: 'm', devices: devices.slice(0, 1) }, user)
  t.match(refused.json(), { statusCode: 403, code: 'MISSING_SCOPE', message: /factory:register/ })
  t.equal((await app.inject({ method: 'POST', url: '/api/factory/batches', payload: {} })).statusCode, 401)
  const bad = await register({ batchId: 'b', model: 'm', devices: [{ deviceId: 'ocb_nope', publicKey: 'x', claimCodeHash: HASH }] })
  t.match(bad.json(), { statusCode: 400, code: 'VALIDATION_FAILED', message: /deviceId/ })
  const privateKeyLeak = await register({ batchId: 'b', model: 'm', devices: [{ ...devices[0]!, privateKey: 'secret' }] })
  t.equal(privateKeyLeak.statusCode, 400, 'extra fields, such as a private key, are refused rather than stored')
})

t.test("owners see their boxes, telemetry and commands; another user's box is a 404", async (t) => {
  const app = await startDevicesApp(t)
  const [alice, bob] = [await signUp(app), await signUp(app)]
  const box = await claimed(app, alice)
  const client = await connectBox(app, box)
  t.teardown(() => closeClient(client))
  await client.publishAsync(`devices/${box.id}/state`, JSON.stringify({ status: 'online', firmwareVersion: '1.0.4', gatewayVersion: '2026.9.6' }), { qos: 1, retain: true })
  const start = Date.now() - 60 * 60_000
  for (let minute = 0; minute < 60; minute += 5) {
    await client.publishAsync(telemetryTopic(box.id), JSON.stringify(telemetry({ ts: start + minute * 60_000, cpu: { percent: minute } })), { qos: 1 })
  }
  await app.devices.telemetry.flush()
  await app.devices.presence.flush()

  const mine = await app.inject({ url: '/api/devices', headers: as(alice) })
  t.match(mine.json(), { devices: [{ id: box.id, state: 'claimed', online: true, firmwareVersion: '1.0.4', gatewayVersion: '2026.9.6' }] })
  t.ok(mine.json().devices[0].lastSeenAt, 'last seen')
  t.same((await app.inject({ url: '/api/devices', headers: as(bob) })).json(), { devices: [] })
  const detail = await app.inject({ url: `/api/devices/${box.id}`, headers: as(alice) })
  t.match(detail.json(), { id: box.id, telemetry: { data: { cpu: { percent: 55 } } } }, 'with the latest telemetry')

  const foreign = await app.inject({ url: `/api/devices/${box.id}`, headers: as(bob) })
  const missing = await app.inject({ url: '/api/devices/ocb_0000000000000000', headers: as(bob) })
  t.equal(foreign.statusCode, 404)
  t.same({ ...foreign.json(), message: '' }, { ...missing.json(), message: '' }, 'the same answer as a box that does not exist')
  t.notMatch(foreign.body, /claimed|alice/)
  for (const url of [`/api/devices/${box.id}/telemetry`, `/api/devices/${box.id}/commands`]) {
    t.equal((await app.inject({ url, headers: as(bob) })).statusCode, 404, `${url} is hidden too`)
  }
  t.equal((await app.inject({ method: 'POST', url: `/api/devices/${box.id}/commands`, headers: as(bob), payload: { name: 'reboot' } })).statusCode, 404)

  const from = new Date(start).toISOString()
  const to = new Date(start + 60 * 60_000).toISOString()
  const series = await app.inject({ url: `/api/devices/${box.id}/telemetry?from=${from}&to=${to}&step=900`, headers: as(alice) })
  t.equal(series.statusCode, 200, series.body)
  t.same(series.json().points.map((p: { samples: number, cpuPercent: number }) => [p.samples, p.cpuPercent]), [[3, 5], [3, 20], [3, 35], [3, 50]], 'downsampled into 15-minute points')
  const tooFine = await app.inject({ url: `/api/devices/${box.id}/telemetry?from=${from}&to=${to}&step=1`, headers: as(alice) })
  t.match(tooFine.json(), { statusCode: 400, code: 'INVALID_TELEMETRY_RANGE' })
  const reversed = await app.inject({ url: `/api/devices/${box.id}/telemetry?from=${to}&to=${from}`, headers: as(alice) })
  t.equal(reversed.json().code, 'INVALID_TELEMETRY_RANGE')

  await client.subscribeAsync(commandsTopic(box.id), { qos: 1 })
  const received: string[] = []
  client.on('message', (topic, payload) => { if (topic === commandsTopic(box.id)) received.push((JSON.parse(payload.toString()) as { id: string }).id) })
  const sent = await app.inject({ method: 'POST', url: `/api/devices/${box.id}/commands`, headers: as(alice), payload: { name: 'upgrade-gateway', params: { version: '2026.12.0' } } })
  t.equal(sent.statusCode, 201, sent.body)
  t.match(sent.json(), { name: 'upgrade-gateway', state: 'delivered' })
  await waitFor('command at the box', () => received.includes(sent.json().id))
  await client.publishAsync(commandResultTopic(box.id, sent.json().id), JSON.stringify({ id: sent.json().id, status: 'succeeded', ts: Date.now(), output: { version: '2026.12.0' } }), { qos: 1 })
  const one = async () => (await app.inject({ url: `/api/devices/${box.id}/commands/${sent.json().id}`, headers: as(alice) })).json()
  await waitFor('result', async () => (await one()).state === 'succeeded')
  t.match(await one(), { state: 'succeeded', output: { version: '2026.12.0' } })
  const list = await app.inject({ url: `/api/devices/${box.id}/commands`, headers: as(alice) })
  t.same(list.json().commands.map((c: { id: string }) => c.id), [sent.json().id])

  const badName = await app.inject({ method: 'POST', url: `/api/devices/${box.id}/commands`, headers: as(alice), payload: { name: 'self-destruct' } })
  t.match(badName.json(), { statusCode: 400, code: 'VALIDATION_FAILED', message: /name/ })
  const badParams = await app.inject({ method: 'POST', url: `/api/devices/${box.id}/commands`, headers: as(alice), payload: { name: 'reboot', params: { delaySeconds: -4 } } })
  t.match(badParams.json(), { statusCode: 400, code: 'INVALID_COMMAND', message: /delaySeconds/ })
})

t.test('admins search, revoke (disconnected at once, refused after) and restore', async (t) => {
  const app = await startDevicesApp(t)
  const [admin, alice] = [await signUp(app, { roles: ['user', 'admin'] }), await signUp(app)]
  const box = await claimed(app, alice)
  await registerClaimableBox(app)

  const search = async (query: string) => (await app.inject({ url: `/api/admin/devices?${query}`, headers: as(admin) })).json()
  t.match(await search(`q=${box.id.slice(6, 12).toLowerCase()}`), { total: 1, devices: [{ id: box.id, ownerId: alice.user.id, state: 'claimed' }] }, 'by part of the id, any case')
  t.equal((await search('state=registered')).total, 1)
  t.equal((await search(`ownerId=${alice.user.id}`)).total, 1)
  t.equal((await search('limit=1')).devices.length, 1)
  t.equal((await app.inject({ url: '/api/admin/devices', headers: as(alice) })).json().code, 'MISSING_SCOPE', 'admins only')
  t.equal((await app.inject({ url: `/api/devices/${box.id}`, headers: as(admin) })).statusCode, 200, 'admins reach every box')

  const client = await connectBox(app, box)
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()))
  const revoked = await app.inject({ method: 'POST', url: `/api/admin/devices/${box.id}/revoke`, headers: as(admin) })
  t.match(revoked.json(), { id: box.id, state: 'revoked' })
  await closed
  t.pass('the connected box was disconnected at once')
  const refused = await connectBox(app, box).then(async (c) => { await closeClient(c); return 0 }, (err: { code?: number }) => err.code)
  t.equal(refused, 5, 'and is refused when it tries again')
  t.equal((await app.inject({ url: '/api/device/status', headers: { authorization: `Bearer ${await box.token()}` } })).statusCode, 401, 'over HTTP too')

  const restored = await app.inject({ method: 'POST', url: `/api/admin/devices/${box.id}/restore`, headers: as(admin) })
  t.match(restored.json(), { state: 'claimed', ownerId: alice.user.id })
  const back = await connectBox(app, box)
  await closeClient(back)
  t.equal((await app.inject({ method: 'POST', url: '/api/admin/devices/ocb_0000000000000000/revoke', headers: as(admin) })).json().code, 'DEVICE_NOT_FOUND')
})
