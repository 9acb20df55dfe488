// Claiming an online box by the device authorization grant (RFC 8628) over HTTP: the box (device JWT)
// asks for a code and polls; its owner approves or denies in a browser; the claim reaches the box over
// MQTT. Refusals (someone else's box, unverified account) are shown to the approver and denied to the box.
import t, { type Test } from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { DEVICE_CODE_PATH, DEVICE_POLL_PATH, type DeviceCodeGrant } from '../../protocol/device-flow.js'
import { generateDeviceKeyPair } from '../../protocol/device-keys.js'
import type { ConfigInput } from '../../server/config.js'
import { authHeaders, signUp } from '../helpers/auth.js'
import { decide, openDeviceLink, signedInBrowser } from '../helpers/device-approval.js'
import { closeClient, configListener, listenDevicesApp, registerClaimableBox, waitFor, type Box } from './helpers.js'

type Server = Awaited<ReturnType<typeof listenDevicesApp>>

const startServer = async (t: Test, config: Partial<ConfigInput> = {}): Promise<Server> =>
  await listenDevicesApp(t, { deviceClaimPollInterval: 1, authRateLimit: 1000, ...config })

async function boxPost (server: Server, box: Box, path: string, body?: object): Promise<Response> {
  return await fetch(`${server.origin}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await box.token()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
}

async function askForCode (server: Server, box: Box): Promise<DeviceCodeGrant> {
  const response = await boxPost(server, box, DEVICE_CODE_PATH)
  if (response.status !== 200) throw new Error(`asking for a code answered ${response.status}: ${await response.text()}`)
  return await response.json() as DeviceCodeGrant
}

/** One poll, after waiting the interval as RFC 8628 §3.5 asks. */
async function poll (server: Server, box: Box, grant: Pick<DeviceCodeGrant, 'device_code' | 'interval'>): Promise<{ status: number, body: Record<string, unknown> }> {
  await sleep(grant.interval * 1000)
  const response = await boxPost(server, box, DEVICE_POLL_PATH, { device_code: grant.device_code })
  return { status: response.status, body: await response.json() as Record<string, unknown> }
}

t.test('a box gets a code, its owner approves it in the browser, the poll succeeds and the config arrives over MQTT', async (t) => {
  const server = await startServer(t)
  const { app, origin } = server
  const box = await registerClaimableBox(app)
  const listener = await configListener(app, box)
  t.teardown(() => closeClient(listener.client))
  await waitFor('initial config', () => listener.latest() !== undefined)

  const grant = await askForCode(server, box)
  t.match(grant, {
    device_code: String,
    user_code: /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/,
    verification_uri: `${origin}/oidc/device`,
    expires_in: Number,
    interval: 1
  }, 'the box gets the RFC 8628 §3.2 fields')
  t.equal(grant.verification_uri_complete, `${origin}/oidc/device?user_code=${grant.user_code}`, 'with a link that fills the code in (the QR)')
  t.match(await poll(server, box, grant), { status: 400, body: { error: 'authorization_pending', code: 'AUTHORIZATION_PENDING', interval: 1 } }, 'before approval the box is told to wait')

  const alice = await signUp(app, { email: 'alice@example.com' })
  const confirmation = await openDeviceLink(await signedInBrowser(origin, alice), grant.verification_uri_complete)
  t.match(confirmation.page, box.id, 'the owner sees which box asks')
  t.match(confirmation.page, /<dt>Model<\/dt><dd>box-1<\/dd>/, 'its model')
  t.match(confirmation.page, /<dt>Asked at<\/dt><dd>\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/dd>/, 'and when it asked')
  t.match(confirmation.page, grant.user_code, 'and the code to compare with its display')
  t.match(confirmation.page, 'alice@example.com', 'and whom it will belong to')
  t.match(await decide(confirmation, 'approve'), 'Device connected')
  t.match(await app.devices.get(box.id), { ownerId: alice.user.id, state: 'claimed' }, 'approval claimed the box')

  const other = await registerClaimableBox(app)
  t.match(await poll(server, other, grant), { status: 400, body: { error: 'authorization_pending' } }, "another box presenting this code is not claimed by it")
  const done = await poll(server, box, grant)
  t.equal(done.status, 200, 'the box\'s poll succeeds')
  t.match(done.body, { deviceId: box.id, claimed: true, state: 'claimed', config: { claim: { claimed: true, owner: alice.user.id } } })
  await waitFor('claimed config over MQTT', () => listener.latest()?.claim.claimed === true)
  t.match(listener.latest(), { version: 1, claim: { claimed: true, owner: alice.user.id }, gateway: { version: '2026.9.6', settings: { gateway: { auth: { trustedProxy: { allowUsers: [alice.email] } } } } } }, 'the box receives its desired config, retained, letting its owner in')

  const again = await boxPost(server, box, DEVICE_CODE_PATH)
  t.equal(again.status, 409)
  t.match(await again.json(), { code: 'ALREADY_CLAIMED' }, 'a claimed box gets no new code')
  const mine = await app.inject({ url: '/api/devices', headers: authHeaders(alice, 'bearer') })
  t.match(mine.json(), { devices: [{ id: box.id }] }, 'the box is in its owner\'s list')
})

t.test('denied, too fast, unknown, rate limited, and only with a valid device JWT', async (t) => {
  const server = await startServer(t, { claimRateLimit: 3 })
  const { app, origin } = server
  const box = await registerClaimableBox(app)
  const bob = await signUp(app)

  const denied = await askForCode(server, box)
  const confirmation = await openDeviceLink(await signedInBrowser(origin, bob), denied.verification_uri_complete)
  t.match(await decide(confirmation, 'deny'), 'The request was denied')
  t.match(await poll(server, box, denied), { status: 400, body: { error: 'access_denied' } }, 'the box learns it was denied')
  t.equal((await app.devices.get(box.id)).ownerId, null, 'and stays unclaimed')

  const hasty = await askForCode(server, box)
  const tooSoon = await poll(server, box, { ...hasty, interval: 0 })
  t.match(tooSoon, { status: 400, body: { error: 'slow_down', interval: 6 } }, 'polling before the interval is up: slow down by 5 seconds (RFC 8628 §3.5)')
  t.match(await poll(server, box, { ...hasty, interval: 0 }), { status: 400, body: { error: 'slow_down', interval: 11 } }, 'for good')
  t.match(await poll(server, box, { device_code: 'not-a-code', interval: 1 }), { status: 400, body: { error: 'expired_token' } }, 'an unknown code is treated as expired')
  const empty = await boxPost(server, box, DEVICE_POLL_PATH, {})
  t.match(await empty.json(), { statusCode: 400, code: 'VALIDATION_FAILED', message: /device_code/ }, 'a poll without a code says what is missing')

  await askForCode(server, box)
  const limited = await boxPost(server, box, DEVICE_CODE_PATH)
  t.equal(limited.status, 429, 'asking for codes is rate limited per box, like label claims')
  t.equal((await boxPost(server, await registerClaimableBox(app), DEVICE_CODE_PATH)).status, 200, 'other boxes are not affected')

  const anonymous = await fetch(`${origin}${DEVICE_CODE_PATH}`, { method: 'POST' })
  t.equal(anonymous.status, 401)
  t.match(await anonymous.json(), { code: 'DEVICE_UNAUTHENTICATED' }, 'no device JWT, no code')
  const impostor = await registerClaimableBox(app)
  const forged = await fetch(`${origin}${DEVICE_CODE_PATH}`, { method: 'POST', headers: { authorization: `Bearer ${await impostor.token({ privateKey: generateDeviceKeyPair().privateKey })}` } })
  t.equal(forged.status, 401, 'a JWT signed with another key is refused')
  const user = await fetch(`${origin}${DEVICE_POLL_PATH}`, { method: 'POST', headers: { authorization: `Bearer ${bob.accessToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ device_code: denied.device_code }) })
  t.equal(user.status, 401, "a user's token does not poll")
})

t.test('an expired code: the box is told to ask again, the owner that it expired', async (t) => {
  const server = await startServer(t, { deviceCodeTtl: 1 })
  const box = await registerClaimableBox(server.app)
  const grant = await askForCode(server, box)
  t.ok(grant.expires_in <= 1, 'the code lives DEVICE_CODE_TTL seconds')
  await sleep(1500)
  t.match(await poll(server, box, grant), { status: 400, body: { error: 'expired_token' } })
  const carol = await signUp(server.app)
  const { page } = await openDeviceLink(await signedInBrowser(server.origin, carol), grant.verification_uri_complete)
  t.match(page, 'That code has expired', 'the owner is told to start again')
  t.equal((await server.app.devices.get(box.id)).ownerId, null)
})

t.test("someone else cannot approve a claimed box; an unverified account cannot claim", async (t) => {
  const server = await startServer(t, { requireEmailVerification: true })
  const { app, origin } = server
  const box = await registerClaimableBox(app)
  const [alice, bob] = [await signUp(app), await signUp(app)]
  const grant = await askForCode(server, box)
  // Meanwhile the box is claimed with its label code.
  const labelled = await app.inject({ method: 'POST', url: '/api/devices/claim', headers: authHeaders(alice, 'bearer'), payload: { deviceId: box.id, code: box.code } })
  t.equal(labelled.statusCode, 200)

  const page = await decide(await openDeviceLink(await signedInBrowser(origin, bob), grant.verification_uri_complete), 'approve')
  t.match(page, 'Device not connected')
  t.match(page, 'This box belongs to another account; its owner must release or transfer it first', 'the approver is told why')
  t.match(await poll(server, box, grant), { status: 400, body: { error: 'access_denied' } }, 'the code is denied')
  t.equal((await app.devices.get(box.id)).ownerId, alice.user.id, 'the owner keeps the box')

  const fresh = await registerClaimableBox(app)
  const unverified = await signUp(app, { verified: false })
  const second = await askForCode(server, fresh)
  const refused = await decide(await openDeviceLink(await signedInBrowser(origin, unverified), second.verification_uri_complete), 'approve')
  t.match(refused, 'Verify your email address before claiming a box', 'as with label codes, verification is needed first')
  t.match(await poll(server, fresh, second), { status: 400, body: { error: 'access_denied' } })
  t.equal((await app.devices.get(fresh.id)).ownerId, null)
})
