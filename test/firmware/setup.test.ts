// A simulated box from a factory credential file, used the way an owner would: the display, the
// setup page over HTTP, the captive portal and its DNS, and the button.
import { Resolver } from 'node:dns/promises'
import { access, writeFile } from 'node:fs/promises'
import http from 'node:http'
import { join } from 'node:path'
import t from 'tap'
import { buildDeviceClaimUrl } from '../../protocol/claim-code.js'
import { packageInfo } from '../../server/package-info.js'
import { tempDir } from '../helpers/app.js'
import { displayFile, startSimulatedBox, until } from '../helpers/box-app.js'
import { writeCredentials } from '../helpers/box.js'
import { launchChromium, PHONE, screenshot } from '../helpers/browser.js'
import { chromium, requireComponents, type Component } from '../helpers/components.js'
import { decodeQrImage } from '../helpers/qr.js'

const setupPageBuild: Component = {
  name: 'the box setup page build (npm run build:ui)',
  probe: () => access(join(packageInfo.root, 'ui', 'dist-box-setup', 'box-setup.js'))
}

const form = (fields: Record<string, string>): RequestInit => ({
  method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString()
})

t.test('from setup to a claimable box', async (t) => {
  const dir = await tempDir(t, 'box-setup-')
  const { file, credentials } = await writeCredentials(dir, { serverUrl: 'https://cloud.example.com' })
  const dataDir = join(dir, 'data')
  const box = await startSimulatedBox(t, file, dataDir)
  const setup = box.setupUrl

  t.equal(box.snapshot.state, 'setup', 'a new box boots into setup')
  const ap = box.accessPoint!
  t.equal(ap.ssid, `OpenClaw-${credentials.deviceId.slice(-4)}`)
  await until('the setup screen', async () => (await decodeQrImage(displayFile(dataDir)).catch(() => undefined))?.startsWith('WIFI:') === true)
  t.equal(await decodeQrImage(displayFile(dataDir)), `WIFI:T:WPA;S:${ap.ssid};P:${ap.password};;`, 'the display shows a QR that joins the setup network')

  const page = await (await fetch(setup)).text()
  for (const name of ['HomeNet', 'CoffeeShop', 'Neighbour-5G']) t.match(page, name, `the page lists ${name}`)
  t.match(page, /82% · WPA2/, 'with strength and security')
  t.same((await (await fetch(`${setup}api/networks`)).json() as { networks: unknown[] }).networks[0], { ssid: 'HomeNet', signalPercent: 82, security: 'WPA2' })

  const wrong = await fetch(`${setup}connect`, form({ ssid: 'HomeNet', password: 'guess' }))
  t.equal(wrong.status, 303)
  await until('the join to fail', () => box.snapshot.state === 'setup' && box.snapshot.lastError !== undefined)
  t.match(await (await fetch(setup)).text(), /role="alert">Wrong password for &#34;HomeNet&#34;/, 'the page says the password was wrong')
  t.equal(box.snapshot.state, 'setup', 'and the box stays in setup')

  const missing = await fetch(`${setup}api/wifi`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'x' }) })
  t.equal(missing.status, 400, 'a request without a network name is refused')
  t.match(await missing.json(), { statusCode: 400, message: /ssid/ })

  await fetch(`${setup}connect`, form({ ssid: 'HomeNet', password: 'correct horse battery' }))
  t.match(await (await fetch(setup)).text(), /Connecting…|Your box is online/, 'progress is shown')
  await box.whenState('online-unclaimed')
  const claimUrl = buildDeviceClaimUrl('https://cloud.example.com', credentials.deviceId)
  await until('the claim screen', async () => (await decodeQrImage(displayFile(dataDir)).catch(() => undefined)) === claimUrl)
  t.pass('the display PNG decodes to the claim URL')
  t.match(await (await fetch(setup)).text(), claimUrl.replace(/&/g, '&#38;'), 'the setup page shows the claim link')
  t.equal(box.accessPoint, undefined, 'the setup network is down')

  const api = box.apiUrl
  t.match(await (await fetch(`${api}/api/state`)).json(), { state: 'online-unclaimed', deviceId: credentials.deviceId, wifi: { ssid: 'HomeNet' }, claimUrl })

  await fetch(`${api}/api/simulate/button`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"press":"long"}' })
  await box.whenState('setup')
  t.equal(box.snapshot.wifi, undefined, 'a long press forgets the network and returns to setup')
  await fetch(`${setup}connect`, form({ ssid: 'CoffeeShop', password: '' }))
  await box.whenState('online-unclaimed')
  t.same(box.snapshot.wifi, { ssid: 'CoffeeShop' }, 'an open network needs no password')

  await fetch(`${api}/api/simulate/wifi`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ssid":"CoffeeShop","inRange":false}' })
  await box.whenState('offline')
  await fetch(`${api}/api/simulate/wifi`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ssid":"CoffeeShop","inRange":true}' })
  await box.whenState('online-unclaimed')
  t.pass('losing the network goes offline, and it comes back by itself')

  await fetch(`${api}/api/simulate/button`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"press":"very-long"}' })
  await until('the reset to finish', () => box.snapshot.state === 'setup' && box.snapshot.seq > 0 && box.snapshot.wifi === undefined)
  t.match(box.snapshot, { state: 'setup', claim: { claimed: false } }, 'a very long press resets to factory state')
})

t.test('captive portal: probes and foreign hosts lead to the setup page; DNS answers every name', async (t) => {
  const dir = await tempDir(t, 'box-portal-')
  const { file } = await writeCredentials(dir)
  const box = await startSimulatedBox(t, file, join(dir, 'data'))
  const portal = box.setupUrl
  for (const path of ['/generate_204', '/gen_204', '/hotspot-detect.html', '/library/test/success.html', '/connecttest.txt', '/ncsi.txt', '/success.txt', '/canonical.html']) {
    const res = await fetch(new URL(path, portal), { redirect: 'manual' })
    t.equal(res.status, 302, `${path} is redirected`)
    t.equal(res.headers.get('location'), portal, `${path} leads to the setup page`)
  }
  // What a phone sends once DNS has pointed some other name at the box (fetch cannot set Host).
  const foreign = await new Promise<http.IncomingMessage>((resolve, reject) => {
    http.get(new URL('/some/page', portal), { headers: { host: 'connectivitycheck.gstatic.com' } }, resolve).on('error', reject)
  })
  foreign.resume()
  t.equal(foreign.statusCode, 302)
  t.equal(foreign.headers.location, portal, 'a request for any other host lands on the setup page')

  const resolver = new Resolver({ timeout: 2000, tries: 1 })
  resolver.setServers([`127.0.0.1:${box.dnsPort!}`])
  for (const name of ['connectivitycheck.gstatic.com', 'captive.apple.com', 'www.msftconnecttest.com', 'example.org']) {
    t.same(await resolver.resolve4(name), [box.accessPoint!.address], `${name} resolves to the box`)
  }
  await t.rejects(resolver.resolve6('captive.apple.com'), { code: 'ENODATA' }, 'no IPv6 answer, so clients use the IPv4 one')
})

t.test('without a credential file the box says so and does nothing else', async (t) => {
  const dir = await tempDir(t, 'box-nocreds-')
  const box = await startSimulatedBox(t, join(dir, 'missing.json'), join(dir, 'data'))
  t.equal(box.snapshot.state, 'no-credentials')
  t.match(await (await fetch(`${box.apiUrl}/api/state`)).json(), { state: 'no-credentials', deviceId: null, lastError: /missing\.json does not exist/ })
  t.match(await (await fetch(box.setupUrl)).text(), /This box is not provisioned/)
  t.equal(box.accessPoint, undefined, 'no setup network without an identity')
})

t.test('the Lit setup page in Chromium on a phone, in English and Chinese', async (t) => {
  if (!(await requireComponents(t, chromium, setupPageBuild))) return
  const dir = await tempDir(t, 'box-setup-lit-')
  const { file, credentials } = await writeCredentials(dir, { serverUrl: 'https://cloud.example.com' })
  const box = await startSimulatedBox(t, file, join(dir, 'data'))
  const browser = await launchChromium(t)
  const context = await browser.newContext({ ...PHONE, locale: 'en-US' })
  t.teardown(() => context.close())
  const page = await context.newPage()
  const problems: string[] = []
  page.on('pageerror', (error) => { problems.push(error.message) })

  await page.goto(box.setupUrl)
  await page.getByRole('heading', { name: 'Set up your OpenClaw Box' }).waitFor()
  t.ok(await page.evaluate(() => document.querySelector('box-setup')?.shadowRoot != null), 'the Lit element drew the page')
  for (const name of ['HomeNet', 'CoffeeShop', 'Neighbour-5G']) t.ok(await page.getByRole('radio', { name }).isVisible(), `lists ${name}`)
  t.ok(await page.getByText('82% · WPA2').isVisible(), 'with strength and security')

  await page.getByRole('radio', { name: 'HomeNet' }).check()
  await page.getByLabel('Password').fill('guess')
  await page.getByRole('button', { name: 'Connect' }).click()
  await page.getByRole('alert').getByText('Wrong password for "HomeNet"').waitFor()
  t.equal(box.snapshot.state, 'setup', 'a wrong password leaves the box in setup, and the page says why')
  await page.getByRole('radio', { name: 'HomeNet' }).waitFor()

  await page.getByRole('radio', { name: 'HomeNet' }).check()
  await page.getByLabel('Password').fill('correct horse battery')
  await page.getByRole('button', { name: 'Connect' }).click()
  await page.getByRole('heading', { name: 'Your box is online' }).waitFor()
  const claimUrl = buildDeviceClaimUrl('https://cloud.example.com', credentials.deviceId)
  t.ok(await page.getByRole('link', { name: claimUrl }).isVisible(), 'the label claim link')
  const qrSource = await page.getByRole('img', { name: claimUrl }).getAttribute('src')
  const qrFile = join(dir, 'setup-page-qr.png')
  await writeFile(qrFile, Buffer.from(qrSource!.replace(/^data:image\/png;base64,/, ''), 'base64'))
  t.equal(await decodeQrImage(qrFile), claimUrl, 'and its QR code, an image that scans to it')
  t.ok(await page.getByText(credentials.deviceId, { exact: true }).isVisible(), 'and the box id')
  t.same(problems, [], 'no script errors')
  await screenshot(page, 'box-setup-phone')

  const zh = await browser.newContext({ ...PHONE, locale: 'zh-CN' })
  t.teardown(() => zh.close())
  const zhPage = await zh.newPage()
  await zhPage.goto(box.setupUrl)
  await zhPage.getByRole('heading', { name: 'Box 已联网' }).waitFor()
  t.pass('a Chinese phone gets the page in Chinese')
})
