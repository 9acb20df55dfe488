// The instance journey in Chromium against a real server and Docker with the REAL OpenClaw gateway
// image: create an instance, watch its progress reach "running" with its address and an "Open"
// button; "Open" loads the real OpenClaw Control UI in a new tab through the router, signed in by
// single sign-on with no token typed; then on its page see the status, the live log tail and the
// usage charts, stop it and delete it, each after a confirmation.
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { routing } from '../../plugins/routing/index.js'
import { scheduler } from '../../plugins/scheduler/index.js'
import { tenants } from '../../plugins/tenants/index.js'
import { authHeaders, signUp } from '../helpers/auth.js'
import { launchChromium, requireConsoleBuild, screenshot, startConsoleServer, watchConsole } from '../helpers/browser.js'
import { chromium, docker as dockerEngine, dockerImage, requireComponents } from '../helpers/components.js'
import { docker } from '../helpers/docker.js'
import { removeTenantResources } from '../helpers/docker.js'
import { until } from '../helpers/wait.js'

const IMAGE = process.env.OPENCLAW_GATEWAY_IMAGE ?? 'openclaw-cloud/openclaw:2026.9.6'
// The real gateway needs 20-50 s to answer /readyz on a 2-vCPU host (docs/openclaw-gateway.md), minutes
// when that host is shared with other heavy work.
const START_TIMEOUT_MS = Number(process.env.OPENCLAW_GATEWAY_START_TIMEOUT_MS ?? 420_000)
const GIB = 1024 ** 3

t.setTimeout(START_TIMEOUT_MS + 180_000)

t.test('create an instance of the real gateway and manage it in the console', async (t) => {
  if (!(await requireComponents(t, chromium, dockerEngine, dockerImage(IMAGE))) || !(await requireConsoleBuild(t))) return
  const tenantIds: string[] = []
  // Registered before the server, so it runs after the server (and its reconciler) closed.
  t.teardown(async () => { for (const id of tenantIds) await removeTenantResources(id) })
  const { app, url } = await startConsoleServer(t, {
    installed: [scheduler, tenants, routing],
    config: { appsDomain: 'localhost', tenantPlans: { basic: { memory: 2 * GIB, cpus: 2, pids: 512, image: IMAGE } }, tenantStartTimeout: START_TIMEOUT_MS, reconcileInterval: 2000 }
  })
  const owner = await signUp(app)
  const name = `ui-${randomBytes(3).toString('hex')}`

  const browser = await launchChromium(t)
  const context = await browser.newContext({ locale: 'en-US', baseURL: url, viewport: { width: 1280, height: 900 } })
  t.teardown(() => context.close())
  const page = await context.newPage()
  const problems = watchConsole(page)
  await page.goto('/sign-in?returnTo=%2Finstances%2Fnew')
  await page.getByLabel('Email').fill(owner.email)
  await page.getByLabel('Password').fill(owner.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL('**/instances/new')

  await page.getByLabel('Name (optional)').fill(name)
  await page.getByRole('radio', { name: /Basic/ }).check()
  await page.getByRole('button', { name: 'Create instance' }).click()
  await page.getByRole('heading', { name: `Starting ${name}` }).waitFor()
  const listed = await app.inject({ method: 'GET', url: '/api/tenants', headers: authHeaders(owner) })
  const tenant = (listed.json() as Array<{ id: string, slug: string, url: string }>).find((candidate) => candidate.slug === name)
  t.ok(tenant, 'the instance exists on the server')
  tenantIds.push(tenant!.id)
  await page.locator('li[data-step="scheduled"].done').waitFor()
  await screenshot(page, 'create-progress')

  const started = performance.now()
  const running = page.getByText('Your instance is running at')
  await running.or(page.locator('oc-progress-steps .notice.error')).waitFor({ timeout: START_TIMEOUT_MS }).catch(() => undefined)
  if (!(await running.isVisible())) {
    await screenshot(page, 'create-failed')
    t.comment(await docker('logs', '--tail', '40', `openclaw-tenant-${tenant!.id}`).catch((err: Error) => err.message))
    t.fail(`the progress did not reach "running": ${await page.locator('oc-progress-steps ol').innerText()}`)
    return
  }
  t.comment(`progress reached "running" in ${((performance.now() - started) / 1000).toFixed(1)} s after the first step`)
  for (const step of ['scheduled', 'image-ready', 'container-created', 'starting', 'healthy', 'routable']) {
    t.equal(await page.locator(`li[data-step="${step}"]`).getAttribute('class'), 'done', `step ${step} is done`)
  }
  const expectedUrl = `http://${name}.localhost:${new URL(url).port}`
  t.equal(tenant!.url, expectedUrl)
  t.ok(await page.getByRole('link', { name: expectedUrl }).isVisible(), 'the address is shown')
  const open = page.getByRole('link', { name: 'Open', exact: true })
  t.equal(await open.getAttribute('href'), expectedUrl, '"Open" leads to the instance')
  t.equal(await open.getAttribute('target'), '_blank', 'in a new tab')
  await screenshot(page, 'create-running')

  // "Open": the router sends the new tab through single sign-on (the console session is there
  // already) and on to the gateway, which takes the router's identity: the Control UI's WebSocket
  // is admitted (hello-ok) without a token or a pairing step.
  const gatewayFrames: string[] = []
  const failedThroughRouter: string[] = []
  context.on('page', (opened) => {
    opened.on('websocket', (socket) => { socket.on('framereceived', ({ payload }) => { gatewayFrames.push(String(payload)) }) })
    opened.on('response', (response) => {
      if (response.status() >= 500) void response.text().then((body) => { failedThroughRouter.push(`${response.status()} ${response.url()}: ${body.replace(/\s+/g, ' ').slice(0, 200)}`) }, () => undefined)
    })
  })
  const [controlUi] = await Promise.all([context.waitForEvent('page'), open.click()])
  const controlProblems = watchConsole(controlUi)
  await controlUi.waitForURL(`${expectedUrl}/**`, { timeout: 60_000 })
  // The title names the Control UI's current view ("OpenClaw Control", then e.g. "Model Setup — OpenClaw" on a first run).
  const loaded = await until('the Control UI page to load', async () => /OpenClaw/.test(await controlUi.title())).catch(async (err: Error) => {
    await screenshot(controlUi, 'control-ui-failed')
    t.fail(`${err.message}; the tab is at ${controlUi.url()} showing: ${(await controlUi.content()).slice(0, 1500)}`)
    return false
  })
  if (!loaded) return
  t.ok(await controlUi.locator('html[data-openclaw-control-ui-build-id]').count() === 1, 'the real OpenClaw Control UI, served through the router')
  const helloFrame = await until('the Control UI to connect to its gateway', () => gatewayFrames.find((frame) => frame.includes('"hello-ok"')))
  const hello = JSON.parse(helloFrame) as { ok: boolean, payload: { auth?: { role?: string, scopes?: string[] } } }
  t.equal(hello.ok, true, 'the gateway admitted the browser with no token typed')
  t.ok(hello.payload.auth?.scopes?.includes('operator.admin'), `as the owner, with the owner's scopes: ${JSON.stringify(hello.payload.auth)}`)
  t.notOk(gatewayFrames.some((frame) => /PAIRING_REQUIRED|AUTH_REQUIRED|TOKEN_MISSING/i.test(frame)), 'no pairing or token request')
  await controlUi.waitForLoadState('networkidle')
  await screenshot(controlUi, 'control-ui')
  // Under the Control UI's burst of parallel asset requests the router used to answer some with 502
  // (pooled connections the gateway was closing; test/routing/keep-alive.test.ts), and the Control
  // UI then stopped at its loading skeleton.
  for (const failure of [...failedThroughRouter, ...controlProblems]) t.comment(`Control UI tab: ${failure}`)
  t.same(failedThroughRouter, [], 'every Control UI request got through the router')
  // The gateway fetches model providers' icons from the internet (cdn.simpleicons.org, ...) and
  // answers 404 when it cannot: an offline machine's gateway, not the router.
  const offlineIcon = /status of 404 .*\/__openclaw__\/catalog-icon\/https%3A/
  t.same(controlProblems.filter((problem) => !offlineIcon.test(problem)), [], 'the Control UI started without errors')
  await controlUi.close()

  await page.getByRole('link', { name: 'Instance details' }).click()
  await page.waitForURL(`**/instances/${tenant!.id}`)
  await page.getByRole('heading', { name, exact: true }).waitFor()
  await page.locator('oc-status-badge').getByText('Running').first().waitFor()
  await page.locator('oc-log-tail .line').first().waitFor({ timeout: 30_000 })
  t.ok(await page.locator('oc-log-tail .line').count() > 0, 'the log tail shows the gateway\'s output')
  await page.locator('oc-usage-chart canvas').first().waitFor({ timeout: 30_000 })
  t.equal(await page.locator('oc-usage-chart').count(), 2, 'CPU and memory charts')
  await page.getByLabel('Search the logs').fill('no line says this 8d3f1')
  await page.getByText('No line matches the search.').waitFor()
  await page.getByLabel('Search the logs').fill('')
  await screenshot(page, 'instance')

  await page.getByRole('button', { name: 'Stop', exact: true }).click()
  await page.getByRole('heading', { name: `Stop ${name}?` }).waitFor()
  await page.getByRole('button', { name: 'Cancel' }).click()
  t.ok(await page.locator('oc-status-badge').getByText('Running').first().isVisible(), 'cancelling keeps it running')
  await page.getByRole('button', { name: 'Stop', exact: true }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Stop' }).click()
  await page.locator('oc-status-badge').getByText('Stopped').first().waitFor({ timeout: 60_000 })
  t.pass('stopped after confirming')

  await page.getByRole('button', { name: 'Delete' }).click()
  await page.getByRole('dialog').getByLabel('Also delete its data now (cannot be undone)').check()
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click()
  await page.waitForURL('**/dashboard')
  await page.getByText('You have no instances yet.').waitFor({ timeout: 30_000 })
  t.pass('deleted; the dashboard no longer lists it')
  t.same(problems, [], 'no errors in the browser console')
})
