// Claiming a box on a phone: a simulated box (firmware in --simulate mode) joins Wi-Fi and comes
// online unclaimed; its label's QR link (protocol/claim-code.ts) opens the claim page, which shows
// the box, sends the visitor through sign-in and back and asks to approve. After approving, the box
// learns over MQTT that it is claimed, and the devices pages show it online with telemetry charts.
// The page fits a phone's width.
import { join } from 'node:path'
import t from 'tap'
import { devices } from '../../plugins/devices/index.js'
import { buildClaimUrl } from '../../protocol/claim-code.js'
import { tempDir } from '../helpers/app.js'
import { signUp } from '../helpers/auth.js'
import { startSimulatedBox, until } from '../helpers/box-app.js'
import { registeredBoxCredentials } from '../devices/helpers.js'
import { launchChromium, PHONE, requireConsoleBuild, screenshot, startConsoleServer, watchConsole } from '../helpers/browser.js'
import { chromium, requireComponents } from '../helpers/components.js'
import { freePort } from '../helpers/process.js'

const FAKE_GATEWAY = join(import.meta.dirname, '..', 'firmware', 'fixtures', 'fake-gateway.mjs')

// A browser, a server and a box on a machine shared with other heavy work: minutes, not the default 3.
t.setTimeout(300_000)

t.test('claiming a box from its label on a phone', async (t) => {
  if (!(await requireComponents(t, chromium)) || !(await requireConsoleBuild(t))) return
  const { app, url } = await startConsoleServer(t, { installed: [devices], config: { mqttHost: '127.0.0.1', mqttPort: 0 } })
  await app.ready()
  const dir = await tempDir(t, 'ui-claim-')
  const { file, credentials, claimCode: code } = await registeredBoxCredentials(app, dir, url)
  const deviceId = credentials.deviceId
  const box = await startSimulatedBox(t, file, join(dir, 'data'), {
    gateway: { command: process.execPath, args: [FAKE_GATEWAY], port: await freePort(), healthPath: '/healthz' }
  })
  await fetch(`${box.setupUrl}api/wifi`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ssid: 'HomeNet', password: 'correct horse battery' }) })
  await box.whenState('online-unclaimed')
  await until('the box on the broker', () => app.devices.broker.isConnected(deviceId))
  const owner = await signUp(app)

  const browser = await launchChromium(t)
  const context = await browser.newContext({ ...PHONE, locale: 'en-US' })
  t.teardown(() => context.close())
  const page = await context.newPage()
  const problems = watchConsole(page)

  await page.goto(buildClaimUrl(url, { deviceId, code }))
  await page.getByRole('heading', { name: 'Claim a box' }).waitFor()
  t.ok(await page.getByText(deviceId).isVisible(), 'shows which box')
  t.ok(await page.getByText('Sign in or create an account to make this box yours.').isVisible(), 'asks to sign in first')
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  t.equal(overflow, 0, 'nothing sticks out sideways on a phone')
  await screenshot(page, 'claim-phone')

  await page.getByRole('link', { name: 'Sign in' }).last().click()
  await page.waitForURL('**/sign-in?returnTo=*')
  await page.getByLabel('Email').fill(owner.email)
  await page.getByLabel('Password').fill(owner.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL((target) => target.pathname === '/claim' && target.searchParams.get('device') === deviceId && target.searchParams.get('code') === code)
  await page.getByText(`Add this box to the account ${owner.email}?`).waitFor()
  await screenshot(page, 'claim-phone-approve')

  await page.getByRole('button', { name: 'Claim this box' }).click()
  await page.getByText(`Box ${deviceId} is now yours.`).waitFor()
  await box.whenState('claimed')
  t.match(box.snapshot.claim, { claimed: true }, 'the box learned over MQTT that it is claimed')

  // Telemetry every second from the box; the server stores it in batches.
  await until('stored telemetry', async () => { await app.devices.telemetry.flush(); return (await app.devices.telemetry.latest(deviceId)) !== null })
  await page.getByRole('link', { name: 'Open the box' }).click()
  await page.getByRole('heading', { name: deviceId }).waitFor()
  await page.locator('oc-status-badge').getByText('Online').first().waitFor()
  await page.locator('oc-usage-chart canvas').first().waitFor({ timeout: 30_000 })
  t.ok(await page.locator('oc-usage-chart').count() >= 2, 'the box page charts its CPU and memory from telemetry')
  t.equal(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), 0, 'the charts fit a phone')
  await screenshot(page, 'device-phone')

  await page.goto(`${url}/devices`)
  await page.getByRole('heading', { name: 'Devices' }).waitFor()
  const row = page.getByText(deviceId).first()
  await row.waitFor()
  await page.locator('oc-status-badge').getByText('Online').first().waitFor()
  t.pass('the devices page lists the box as online')
  await screenshot(page, 'devices-phone')
  t.same(problems, [], 'no errors in the browser console')

  // Typed by hand from the label instead of scanned: a box already claimed says so.
  await page.goto(`${url}/claim`)
  await page.getByLabel('Device id').fill(deviceId)
  await page.getByLabel('Claim code').fill(code)
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.getByText(`Add this box to the account ${owner.email}?`).waitFor()
  t.ok(await page.getByText(deviceId).isVisible(), 'the typed code leads to the same approval')
})
