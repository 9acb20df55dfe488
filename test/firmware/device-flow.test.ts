// A simulated box claimed by the device authorization grant against the real server: online and
// unclaimed it shows the code (display QR, local API, setup page), a signed-in user approves it in a
// browser and the box becomes `claimed`; a denial and an expiry make it ask for a new code.
import type { FastifyInstance } from 'fastify'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { Box } from '../../firmware/daemon.js'
import { screenFor } from '../../firmware/screens.js'
import { SNAPSHOT_VERSION, type BoxSnapshot } from '../../firmware/state/machine.js'
import type { ConfigInput } from '../../server/config.js'
import { listenDevicesApp, registeredBoxCredentials } from '../devices/helpers.js'
import { tempDir } from '../helpers/app.js'
import { authHeaders, signUp } from '../helpers/auth.js'
import { displayFile, startSimulatedBox, until } from '../helpers/box-app.js'
import { decide, openDeviceLink, signedInBrowser } from '../helpers/device-approval.js'
import { decodeQrImage } from '../helpers/qr.js'

interface Setup { app: FastifyInstance, origin: string, box: Box, dataDir: string, labelCode: string }

/** A registered box with factory credentials for this server, booted and brought online over Wi-Fi. */
async function onlineBox (t: Test, config: Partial<ConfigInput> = {}): Promise<Setup> {
  const { app, origin } = await listenDevicesApp(t, { deviceClaimPollInterval: 1, authRateLimit: 1000, ...config })
  const dir = await tempDir(t, 'box-device-flow-')
  const { file, claimCode: labelCode } = await registeredBoxCredentials(app, dir, origin)
  const dataDir = join(dir, 'data')
  const box = await startSimulatedBox(t, file, dataDir, { claimRetryMs: 300 })
  await fetch(`${box.setupUrl}api/wifi`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ssid: 'HomeNet', password: 'correct horse battery' }) })
  await box.whenState('online-unclaimed')
  return { app, origin, box, dataDir, labelCode }
}

const localState = async (box: Box): Promise<Record<string, unknown>> => await (await fetch(`${box.apiUrl}/api/state`)).json() as Record<string, unknown>

t.test('online and unclaimed, the box shows a device code; a signed-in user approves it; the box is claimed', async (t) => {
  const { app, origin, box, dataDir } = await onlineBox(t)
  const code = await until('a device code', () => box.deviceFlow)
  t.match(code, { userCode: /^[A-Z]{4}-[A-Z]{4}$/, verificationUri: `${origin}/oidc/device`, verificationUriComplete: `${origin}/oidc/device?user_code=${code.userCode}` })
  t.ok(Date.parse(code.expiresAt) > Date.now(), 'with when it expires')

  const shown = await until('the display QR', async () => {
    const decoded = await decodeQrImage(displayFile(dataDir)).catch(() => undefined)
    return decoded === code.verificationUriComplete ? decoded : undefined
  })
  t.equal(shown, code.verificationUriComplete, 'the display PNG decodes to verification_uri_complete')
  t.match(await localState(box), { state: 'online-unclaimed', deviceFlow: code }, 'the local API exposes it as deviceFlow')
  t.match(await (await fetch(`${box.setupUrl}api/status`)).json(), { deviceFlow: code }, 'and so does the setup page\'s API')

  const dora = await signUp(app, { email: 'dora@example.com' })
  const confirmation = await openDeviceLink(await signedInBrowser(origin, dora), code.verificationUriComplete)
  t.match(confirmation.page, box.deviceId!, 'the owner sees the box that asks')
  t.match(await decide(confirmation, 'approve'), 'Device connected')

  const claimed = await box.whenState('claimed', 30_000)
  t.match(claimed.claim, { claimed: true, owner: dora.user.id }, 'the box is claimed by the approver')
  t.match(await localState(box), { state: 'claimed', deviceFlow: null }, 'and shows no code any more')
  t.equal((await app.devices.get(box.deviceId!)).ownerId, dora.user.id)
})

t.test('a denied code is replaced after a pause; a label-code claim meanwhile still claims the box', async (t) => {
  const { app, origin, box, labelCode } = await onlineBox(t)
  const first = await until('a device code', () => box.deviceFlow)
  const eve = await signUp(app)
  t.match(await decide(await openDeviceLink(await signedInBrowser(origin, eve), first.verificationUriComplete), 'deny'), 'The request was denied')
  const second = await until('a new code after the denial', () => box.deviceFlow !== null && box.deviceFlow.userCode !== first.userCode ? box.deviceFlow : undefined, 30_000)
  t.not(second.userCode, first.userCode, 'the box asks again after a pause')
  t.equal(box.snapshot.state, 'online-unclaimed', 'and stays unclaimed')

  const claim = await app.inject({ method: 'POST', url: '/api/devices/claim', headers: authHeaders(eve, 'bearer'), payload: { deviceId: box.deviceId, code: labelCode } })
  t.equal(claim.statusCode, 200, claim.body)
  await box.whenState('claimed', 30_000)
  t.equal(box.deviceFlow, null, 'claimed over MQTT by the label code, the box stops showing its device code')
})

t.test('what the display shows for a device code and for a denial', async (t) => {
  const online: BoxSnapshot = { version: SNAPSHOT_VERSION, seq: 3, state: 'online-unclaimed', since: 0, claim: { claimed: false } }
  const code = { userCode: 'BCDF-GHJK', verificationUri: 'https://cloud.example/oidc/device', verificationUriComplete: 'https://cloud.example/oidc/device?user_code=BCDF-GHJK', expiresAt: new Date().toISOString() }
  const waiting = screenFor(online, { deviceId: 'ocb_0123456789ABCDEF', claimUrl: 'https://cloud.example/claim', deviceFlow: { kind: 'waiting', code } })
  t.equal(waiting.qr, code.verificationUriComplete, 'the QR opens the confirmation page with the code filled in')
  t.ok(waiting.lines.includes('Code: BCDF-GHJK'), 'the code is printed to compare')
  t.ok(waiting.lines.some((line) => line.includes(code.verificationUri)), 'with where to type it')
  const denied = screenFor(online, { claimUrl: 'https://cloud.example/claim', deviceFlow: { kind: 'denied' } })
  t.equal(denied.title, 'Claim denied')
  t.equal(denied.qr, undefined, 'no code to scan while denied')
  t.equal(screenFor(online, { claimUrl: 'https://cloud.example/claim', deviceFlow: { kind: 'idle' } }).qr, 'https://cloud.example/claim', 'without a code the label claim link is shown')
})

t.test('an expired code is replaced by a new one', async (t) => {
  const { box } = await onlineBox(t, { deviceCodeTtl: 2 })
  const first = await until('a device code', () => box.deviceFlow)
  const next = await until('a new code after expiry', () => box.deviceFlow !== null && box.deviceFlow.userCode !== first.userCode ? box.deviceFlow : undefined, 30_000)
  t.ok(Date.parse(next.expiresAt) > Date.parse(first.expiresAt), 'with a later expiry')
})
