// The tenants plugin with the REAL OpenClaw gateway image (scripts/images/build-gateway-image.sh):
// a signed-up user creates an instance, its progress stream reaches `routable`, the container is
// hardened (from `docker inspect`), the gateway writes its state as uid 1000 into the tenant volume,
// `/readyz` answers inside the container and at the address the tenant records, and the router's
// trusted-proxy header is honoured for the owner only (docs/openclaw-gateway.md).
import t from 'tap'
import { scheduler } from '../../plugins/scheduler/index.js'
import { Tenant } from '../../plugins/tenants/entities.js'
import { GATEWAY_STATE_DIR } from '../../server/gateway-config.js'
import { tenants } from '../../plugins/tenants/index.js'
import { authHeaders, buildAuthApp, signUp } from '../helpers/auth.js'
import { docker as dockerEngine, dockerImage, requireComponents } from '../helpers/components.js'
import { docker } from '../helpers/docker.js'
import { removeTenantResources } from '../helpers/docker.js'

const VERSION = process.env.OPENCLAW_VERSION ?? '2026.9.6'
const IMAGE = process.env.OPENCLAW_GATEWAY_IMAGE ?? `openclaw-cloud/openclaw:${VERSION}`
const GIB = 1024 ** 3
// 20-50 s to /readyz on this loaded 2-vCPU host (docs/openclaw-gateway.md); 120 s of margin.
const START_TIMEOUT_MS = Number(process.env.OPENCLAW_GATEWAY_START_TIMEOUT_MS ?? 120_000)

// The file as a whole: start, the checks, and teardown of a ~700 MB gateway.
t.setTimeout(START_TIMEOUT_MS + 120_000)

interface Readiness { ready?: boolean, failing?: string[], uptimeMs?: number, error?: { type: string } }

/** Runs a script with the image's own node inside the tenant container (there is no shell in it). */
async function nodeIn (container: string, script: string): Promise<string> {
  return await docker('exec', container, 'node', '-e', script)
}

t.test('an instance of the real OpenClaw gateway', { timeout: START_TIMEOUT_MS + 90_000 }, async (t) => {
  if (!(await requireComponents(t, dockerEngine, dockerImage(IMAGE)))) return
  const plan = { memory: 2 * GIB, cpus: 2, pids: 512, image: IMAGE }
  const tenantIds: string[] = []
  // Registered before the app, so it runs after the app (and its reconciler) closed: nothing recreates behind it.
  t.teardown(async () => { for (const id of tenantIds) await removeTenantResources(id) })
  const app = await buildAuthApp(t, {
    installed: [scheduler, tenants],
    config: { tenantPlans: { basic: plan }, tenantStartTimeout: START_TIMEOUT_MS }
  })
  await app.ready()
  const alice = await signUp(app)
  const mallory = await signUp(app)

  const started = performance.now()
  const created = await app.inject({ method: 'POST', url: '/api/tenants', headers: authHeaders(alice), payload: { plan: 'basic' } })
  t.equal(created.statusCode, 202, created.body)
  const tenant = created.json<{ id: string, slug: string, url: string }>()
  tenantIds.push(tenant.id)
  const container = `openclaw-tenant-${tenant.id}`

  // The stream ends at routable (or failed, with the reason).
  const events = await app.inject({ method: 'GET', url: `/api/tenants/${tenant.id}/events`, headers: authHeaders(alice) })
  const routableMs = performance.now() - started
  const types = [...events.body.matchAll(/^event: (\S+)$/gm)].map((match) => match[1])
  if (types.at(-1) !== 'routable') t.comment(await docker('logs', '--tail', '60', container).catch((err: Error) => err.message))
  t.same(types, ['scheduled', 'image-ready', 'container-created', 'starting', 'healthy', 'routable'], events.body)
  t.comment(`POST /api/tenants -> routable in ${(routableMs / 1000).toFixed(1)} s (real gateway ${VERSION})`)
  const shown = await app.inject({ method: 'GET', url: `/api/tenants/${tenant.id}`, headers: authHeaders(alice) })
  t.equal(shown.json().status, 'running', 'the observed status is running')

  // Hardening, as Docker reports it.
  const inspect = JSON.parse(await docker('inspect', container))[0]
  t.same(inspect.HostConfig.CapDrop, ['ALL'], 'every capability dropped')
  t.same(inspect.HostConfig.SecurityOpt, ['no-new-privileges:true'], 'no privilege escalation')
  t.equal(inspect.Config.User, '1000:1000', 'runs as the node user')
  t.equal(inspect.HostConfig.Memory, plan.memory, 'memory limit from the plan')
  t.equal(inspect.HostConfig.MemorySwap, plan.memory, 'no swap beyond the limit')
  t.equal(inspect.HostConfig.NanoCpus, plan.cpus * 1e9, 'CPU limit from the plan')
  t.equal(inspect.HostConfig.PidsLimit, plan.pids, 'pids limit from the plan')
  t.equal(inspect.HostConfig.Privileged, false)
  t.equal(inspect.Config.Labels['openclaw.cloud/tenant'], tenant.id)
  t.equal(inspect.Config.Labels['openclaw.cloud/managed'], 'true')
  t.equal(inspect.Config.Labels['openclaw.cloud/slug'], tenant.slug)
  t.equal(inspect.Config.Image, IMAGE, 'the plan\'s image')
  t.same(Object.keys(inspect.NetworkSettings.Networks), [container], 'only on its own network')
  t.same(Object.keys(inspect.HostConfig.PortBindings ?? {}), [], 'no port published on the host')
  const mount = (inspect.Mounts as Array<{ Type: string, Name?: string, Destination: string, RW: boolean }>).find((m) => m.Destination === GATEWAY_STATE_DIR)
  t.match(mount, { Type: 'volume', Name: `openclaw-tenant-${tenant.id}-state`, RW: true }, 'state volume mounted read-write')

  // The state volume belongs to uid 1000, and the gateway wrote its own state into it.
  const state = JSON.parse(await nodeIn(container, `
    const fs = require('fs'), path = require('path'), dir = ${JSON.stringify(GATEWAY_STATE_DIR)}
    fs.writeFileSync(path.join(dir, '.write-probe'), 'ok'); fs.rmSync(path.join(dir, '.write-probe'))
    const root = fs.statSync(dir)
    const entries = fs.readdirSync(dir).map((name) => ({ name, uid: fs.statSync(path.join(dir, name)).uid }))
    console.log(JSON.stringify({ uid: process.getuid(), rootUid: root.uid, rootMode: (root.mode & 0o777).toString(8), entries }))`)) as {
    uid: number, rootUid: number, rootMode: string, entries: Array<{ name: string, uid: number }>
  }
  t.equal(state.uid, 1000, 'the gateway process runs as uid 1000')
  t.equal(state.rootUid, 1000, 'the state directory is owned by uid 1000')
  t.ok(state.entries.some((entry) => entry.name === 'openclaw.json' && entry.uid === 1000), 'config owned by uid 1000')
  const written = state.entries.filter((entry) => entry.name !== 'openclaw.json')
  t.ok(written.length > 0 && written.every((entry) => entry.uid === 1000), `the gateway wrote its state as uid 1000: ${written.map((entry) => entry.name).join(', ')}`)

  // /readyz inside the container, and at the upstream the tenant records (the router's target).
  const inside = await nodeIn(container, "fetch('http://127.0.0.1:18789/readyz').then(async (r) => console.log(r.status, await r.text()))")
  t.match(inside, /^200 \{"ready":true/, '/readyz answers inside the container')
  const record = await app.orm.em.fork().findOneOrFail(Tenant, { id: tenant.id })
  const ip = (inspect.NetworkSettings.Networks as Record<string, { IPAddress: string, Gateway: string }>)[container]!
  t.equal(record.upstream, `http://${ip.IPAddress}:18789`, 'the recorded upstream is the container\'s address on its network')
  const readyz = async (headers: Record<string, string>): Promise<{ status: number, body: Readiness }> => {
    const res = await fetch(`${record.upstream}/readyz`, { headers, signal: AbortSignal.timeout(10_000) })
    return { status: res.status, body: await res.json() as Readiness }
  }
  // Every request from the trusted proxy's address must say whom it forwards for.
  t.equal((await readyz({})).status, 403, 'the proxy address without X-Forwarded-For is refused')
  t.same(await readyz({ 'x-forwarded-for': '203.0.113.9' }), { status: 200, body: { ready: true } }, 'an anonymous visitor gets the public view')

  // The router's headers from this host (the bridge gateway, the only trusted proxy).
  const asOwner = await readyz({ 'x-forwarded-user': alice.email, 'x-forwarded-for': '203.0.113.7' })
  t.equal(asOwner.status, 200)
  t.equal(asOwner.body.ready, true)
  t.ok(Array.isArray(asOwner.body.failing) && typeof asOwner.body.uptimeMs === 'number', `the owner gets the detailed view: ${JSON.stringify(asOwner.body)}`)
  t.same(await readyz({ 'x-forwarded-user': mallory.email, 'x-forwarded-for': '203.0.113.8' }), { status: 200, body: { ready: true } },
    'another user gets only the public view')
  const unattributed = await readyz({ 'x-forwarded-user': alice.email })
  t.equal(unattributed.status, 403, 'a user header without X-Forwarded-For is refused')
  t.equal(unattributed.body.error?.type, 'proxy_attribution_required')

  // The owner deletes it with purge: everything labelled for it goes.
  const removed = await app.inject({ method: 'DELETE', url: `/api/tenants/${tenant.id}?purge=true`, headers: authHeaders(alice) })
  t.equal(removed.statusCode, 202)
  const deadline = Date.now() + 60_000
  const leftovers = async (): Promise<string> => [
    await docker('ps', '-aq', '--filter', `label=openclaw.cloud/tenant=${tenant.id}`),
    await docker('network', 'ls', '-q', '--filter', `label=openclaw.cloud/tenant=${tenant.id}`),
    await docker('volume', 'ls', '-q', '--filter', `label=openclaw.cloud/tenant=${tenant.id}`)
  ].join('')
  while (await leftovers() !== '' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500))
  t.equal(await leftovers(), '', 'container, network and volume removed on purge')
})
