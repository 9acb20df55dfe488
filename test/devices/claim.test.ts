// Claiming a box with its label code over HTTP, and what the box learns over MQTT: one owner at a
// time, guessing locked out per box and limited per client, release, transfer and factory reset.
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import type { DesiredConfig } from '../../protocol/payloads.js'
import { commandResultTopic, commandsTopic, configTopic } from '../../protocol/topics.js'
import { authHeaders, signUp, type SignedInUser } from '../helpers/auth.js'
import { closeClient, configListener, connectBox, registerClaimableBox, startDevicesApp, waitFor } from './helpers.js'

const claim = (app: FastifyInstance, who: SignedInUser, deviceId: string, code: string) =>
  app.inject({ method: 'POST', url: '/api/devices/claim', headers: authHeaders(who, 'bearer'), payload: { deviceId, code } })

/** The owner's part of the box's openclaw.json: her email is what the router sends in x-forwarded-user. */
const aliceOnly = (email: string, url: string) => ({
  gateway: {
    auth: { trustedProxy: { allowUsers: [email] }, identityScopes: { [email]: ['operator.admin'] } },
    controlUi: { allowedOrigins: [url] }
  }
})

t.test('the label code claims a box once; the box learns it over MQTT; nobody else can take it', async (t) => {
  const app = await startDevicesApp(t)
  const box = await registerClaimableBox(app)
  const [alice, bob] = [await signUp(app), await signUp(app)]
  const listener = await configListener(app, box)
  t.teardown(() => closeClient(listener.client))
  await waitFor('initial config', () => listener.latest() !== undefined)
  t.same(listener.latest(), { version: 0, claim: { claimed: false }, gateway: { version: '2026.9.6' } }, 'an unclaimed box is told so when it subscribes, and which OpenClaw to run')

  const wrong = await claim(app, alice, box.id, 'ZZZZZ-ZZZZZ')
  t.equal(wrong.statusCode, 400)
  t.equal(wrong.json().code, 'INVALID_CLAIM_CODE')
  const unknown = await claim(app, alice, 'ocb_0000000000000000', box.code)
  t.same(unknown.json(), wrong.json(), 'an unknown id gets exactly the same answer as a wrong code')

  const typed = box.code.toLowerCase().replace('-', ' ')
  const claimed = await claim(app, alice, box.id.toLowerCase(), typed)
  t.equal(claimed.statusCode, 200, claimed.body)
  t.match(claimed.json(), { id: box.id, state: 'claimed', online: true }, 'claimed with the code as typed by a person')
  await waitFor('claimed config', () => listener.latest()?.claim.claimed === true)
  const url = claimed.json().url as string
  t.match(url, /^https?:\/\/ocb-/, 'the console shows the box at its own URL')
  t.same(listener.latest(), { version: 1, claim: { claimed: true, owner: alice.user.id }, gateway: { version: '2026.9.6', settings: aliceOnly(alice.email, url) } }, 'the box receives its desired config')

  const late = await connectBox(app, box, { clientId: box.id })
  const retained = await new Promise<DesiredConfig>((resolve) => {
    late.on('message', (_topic, payload) => resolve(JSON.parse(payload.toString()) as DesiredConfig))
    void late.subscribeAsync(configTopic(box.id), { qos: 1 })
  })
  await closeClient(late)
  t.equal(retained.claim.owner, alice.user.id, 'a box connecting later gets the retained config')
  t.same(retained.gateway?.settings, aliceOnly(alice.email, url), 'with its gateway letting in the owner (as the router names her) from the box URL, admin for her session')

  const stolen = await claim(app, bob, box.id, box.code)
  t.equal(stolen.statusCode, 409)
  t.equal(stolen.json().code, 'ALREADY_CLAIMED', 'a claimed box cannot be claimed by someone else, even with its code')
  t.equal((await claim(app, alice, box.id, box.code)).statusCode, 200, 'claiming your own box again changes nothing')
  t.equal((await app.devices.get(box.id)).configVersion, 1)

  const anonymous = await app.inject({ method: 'POST', url: '/api/devices/claim', payload: { deviceId: box.id, code: box.code } })
  t.equal(anonymous.statusCode, 401)
  const factory = await signUp(app, { roles: ['factory'] })
  t.equal((await claim(app, factory, box.id, box.code)).json().code, 'MISSING_SCOPE')
})

t.test('20 wrong codes in a row lock the box against claims; each client is rate-limited too', async (t) => {
  const app = await startDevicesApp(t, { config: { claimRateLimit: 1000 } })
  const box = await registerClaimableBox(app)
  const mallory = await signUp(app)
  for (let i = 0; i < 20; i++) {
    const answer = await claim(app, mallory, box.id, `AAAAA-${String(10_000 + i).slice(1)}A`)
    t.equal(answer.json().code, 'INVALID_CLAIM_CODE', `wrong code ${i + 1}`)
  }
  const owner = await signUp(app)
  const locked = await claim(app, owner, box.id, box.code)
  t.equal(locked.statusCode, 429)
  t.equal(locked.json().code, 'CLAIM_LOCKED', 'after 20 wrong codes even the right one, from anyone, waits')
  t.match(locked.json().message, /try again in \d+ seconds/)
  const other = await registerClaimableBox(app)
  t.equal((await claim(app, owner, other.id, other.code)).statusCode, 200, 'other boxes are not affected')

  const strict = await startDevicesApp(t, { config: { claimRateLimit: 3, claimRateWindow: 60_000 } })
  const target = await registerClaimableBox(strict)
  const guesser = await signUp(strict)
  const answers = []
  for (let i = 0; i < 4; i++) answers.push((await claim(strict, guesser, target.id, 'BBBBB-BBBBB')).statusCode)
  t.same(answers, [400, 400, 400, 429], 'the fourth attempt within the window from one client is refused')
})

t.test('owners release and transfer boxes; a box-signed factory reset unclaims it', async (t) => {
  const app = await startDevicesApp(t)
  const box = await registerClaimableBox(app)
  const [alice, bob, carol] = [await signUp(app), await signUp(app), await signUp(app)]
  const listener = await configListener(app, box)
  t.teardown(() => closeClient(listener.client))
  // A released box that is connected reports itself online, whether or not presence reached the database yet.
  await waitFor('the box recorded online', async () => { const device = await app.devices.find(box.id); return device !== null && app.devices.isOnline(device) })
  t.equal((await claim(app, alice, box.id, box.code)).statusCode, 200)

  const post = (who: SignedInUser, url: string, payload?: object) => app.inject({ method: 'POST', url, headers: authHeaders(who, 'bearer'), ...(payload === undefined ? {} : { payload }) })
  t.equal((await post(bob, `/api/devices/${box.id}/release`)).statusCode, 404, 'only the owner can release')
  const released = await post(alice, `/api/devices/${box.id}/release`)
  t.match(released.json(), { state: 'online', claimedAt: null })
  await waitFor('released config', () => listener.latest()?.version === 2)
  t.same(listener.latest()?.claim, { claimed: false })
  t.same(listener.latest()?.gateway, { version: '2026.9.6' }, 'a released box keeps no owner settings')
  t.equal((await claim(app, bob, box.id, box.code)).statusCode, 200, 'a released box is claimable again with its label')

  const unknown = await post(bob, `/api/devices/${box.id}/transfer`, { email: 'nobody@example.com' })
  t.equal(unknown.json().code, 'RECIPIENT_NOT_FOUND')
  t.equal((await post(carol, `/api/devices/${box.id}/transfer`, { email: carol.email })).statusCode, 404, "someone else's box cannot be transferred")
  const transferred = await post(bob, `/api/devices/${box.id}/transfer`, { email: carol.email.toUpperCase() })
  t.equal(transferred.statusCode, 200, transferred.body)
  await waitFor('transferred config', () => listener.latest()?.claim.owner === carol.user.id)
  t.same(listener.latest()?.gateway?.settings, aliceOnly(carol.email, transferred.json().url as string), 'the new owner is the only one the gateway lets in')
  const get = (who: SignedInUser) => app.inject({ url: `/api/devices/${box.id}`, headers: authHeaders(who, 'bearer') })
  t.equal((await get(bob)).statusCode, 404, 'the previous owner no longer sees it')
  t.equal((await get(carol)).statusCode, 200, 'the new owner does')

  // Reset over HTTP, signed by the box.
  const status = async () => await app.inject({ url: '/api/device/status', headers: { authorization: `Bearer ${await box.token()}` } })
  t.match((await status()).json(), { deviceId: box.id, state: 'claimed', claimed: true, config: { claim: { owner: carol.user.id } } })
  const reset = await app.inject({ method: 'POST', url: '/api/device/factory-reset', headers: { authorization: `Bearer ${await box.token()}` } })
  t.match(reset.json(), { claimed: false, state: 'online', config: { claim: { claimed: false } } })
  t.notOk(reset.json().config.gateway.settings, 'a reset box gets no owner settings')
  t.equal((await get(carol)).statusCode, 404, 'after a reset the box has no owner')

  // Reset over MQTT: the box's result of a factory-reset command, on its own authenticated session.
  t.equal((await claim(app, alice, box.id, box.code)).statusCode, 200)
  await listener.client.subscribeAsync(commandsTopic(box.id), { qos: 1 })
  const command = await post(alice, `/api/devices/${box.id}/commands`, { name: 'factory-reset' })
  t.equal(command.json().state, 'delivered')
  await listener.client.publishAsync(commandResultTopic(box.id, command.json().id), JSON.stringify({ id: command.json().id, status: 'succeeded', ts: Date.now() }), { qos: 1 })
  await waitFor('unclaimed by the reset', async () => (await app.devices.get(box.id)).ownerId === null)
  await waitFor('reset config', () => listener.latest()?.claim.claimed === false)
  t.pass('the reset reached the registry and the box')
})

t.test('device-JWT routes use the one verifier', async (t) => {
  const app = await startDevicesApp(t)
  const box = await registerClaimableBox(app)
  const ask = async (authorization?: string) => await app.inject({ url: '/api/device/status', headers: authorization === undefined ? {} : { authorization } })
  const fresh = await ask(`Bearer ${await box.token()}`)
  t.match(fresh.json(), { deviceId: box.id, state: 'registered', claimed: false, config: { version: 0 } })
  const expired = await ask(`Bearer ${await box.token({ now: new Date(Date.now() - 7_200_000), ttlSeconds: 3600 })}`)
  t.equal(expired.statusCode, 401)
  t.match(expired.json(), { code: 'DEVICE_UNAUTHENTICATED', message: /DEVICE_JWT_EXPIRED/ })
  t.equal((await ask()).statusCode, 401, 'no token')
  const user = await signUp(app)
  t.equal((await ask(`Bearer ${user.accessToken}`)).statusCode, 401, "a user's token is not a device's")
  await app.devices.revoke(box.id)
  t.match((await ask(`Bearer ${await box.token()}`)).json(), { statusCode: 401, message: /DEVICE_JWT_REVOKED/ })
})
