// Claiming a box on a phone: the label's QR link (protocol/claim-code.ts) opens the claim page,
// which shows the box, sends the visitor through sign-in and back, and asks to approve. The page
// fits a phone's width. Until the server has the claim endpoint, approving says it is not available.
import t from 'tap'
import { devices } from '../../plugins/devices/index.js'
import { buildClaimUrl, generateClaimCode, hashClaimCode } from '../../protocol/claim-code.js'
import { generateDeviceId } from '../../protocol/device-id.js'
import { exportPublicKeyRaw, generateDeviceKeyPair } from '../../protocol/device-keys.js'
import { signUp } from '../helpers/auth.js'
import { launchChromium, PHONE, requireConsoleBuild, screenshot, startConsoleServer, watchConsole } from '../helpers/browser.js'
import { chromium, requireComponents } from '../helpers/components.js'

// A browser and a server on a machine shared with other heavy work: minutes, not the default 3.
t.setTimeout(300_000)

t.test('claiming a box from its label on a phone', async (t) => {
  if (!(await requireComponents(t, chromium)) || !(await requireConsoleBuild(t))) return
  const { app, url } = await startConsoleServer(t, { installed: [devices], config: { mqttHost: '127.0.0.1', mqttPort: 0 } })
  await app.ready()
  const deviceId = generateDeviceId()
  const code = generateClaimCode()
  await app.devices.registerBatch({
    batchId: 'ui-test-batch',
    model: 'openclaw-box-1',
    devices: [{ deviceId, publicKey: exportPublicKeyRaw(generateDeviceKeyPair().publicKey), claimCodeHash: await hashClaimCode(code) }]
  })
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
  if (app.hasRoute({ method: 'POST', url: '/api/devices/claim' })) {
    await page.getByText(`Box ${deviceId} is now yours.`).waitFor()
    await page.getByRole('link', { name: 'Open the box' }).click()
    await page.getByRole('heading', { name: deviceId }).waitFor()
    t.pass('the claimed box opens on its page')
  } else {
    await page.getByText('Claiming boxes is not available on this server yet.').waitFor()
    t.pass('without the claim endpoint, approving says so')
  }
  t.same(problems, [], 'no errors in the browser console')

  // Typed by hand from the label instead of scanned.
  await page.goto(`${url}/claim`)
  await page.getByLabel('Device id').fill(deviceId)
  await page.getByLabel('Claim code').fill(code)
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.getByText(`Add this box to the account ${owner.email}?`).waitFor()
  t.ok(await page.getByText(deviceId).isVisible(), 'the typed code leads to the same approval')
})
