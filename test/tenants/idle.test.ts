// Idle stop against the real Docker engine (stand-in image, a 2-second idle timeout): an instance
// without activity is stopped, one the router keeps reporting stays up, wake starts an idle-stopped
// instance again and never one its owner stopped.
import t from 'tap'
import { scheduler } from '../../plugins/scheduler/index.js'
import { idleTenants } from '../../plugins/tenants/idle.js'
import { tenants } from '../../plugins/tenants/index.js'
import { resolvePlans } from '../../plugins/tenants/plans.js'
import { authHeaders, buildAuthApp, signUp } from '../helpers/auth.js'
import { docker as dockerEngine, dockerImage, requireComponents } from '../helpers/components.js'
import { docker, removeTenantResources } from '../helpers/docker.js'
import { until } from '../helpers/wait.js'

const STANDIN = 'openclaw-cloud/standin:latest'
const IDLE_SECONDS = 2
t.setTimeout(120_000)

interface TenantView { id: string, desired: string, status: string, idleStoppedAt: string | null }

t.test('idleTenants: running instances past their plan\'s timeout; a zero timeout never', async (t) => {
  const plans = resolvePlans({ tenantImage: 'x', tenantPlans: { free: { idleTimeout: 60 }, enterprise: { idleTimeout: 0 } } })
  const base = { desired: 'running' as const, status: 'running' as const }
  t.same(idleTenants([
    { ...base, id: 'idle', plan: 'free', lastActivity: 0 },
    { ...base, id: 'recent', plan: 'free', lastActivity: 30_000 },
    { ...base, id: 'never', plan: 'enterprise', lastActivity: 0 },
    { ...base, id: 'starting', plan: 'free', status: 'starting', lastActivity: 0 },
    { ...base, id: 'stopped', plan: 'free', desired: 'stopped', lastActivity: 0 }
  ], plans, 61_000), ['idle'])
})

t.test('idle instances are stopped; reported activity keeps one up; wake starts it again', async (t) => {
  if (!(await requireComponents(t, dockerEngine, dockerImage(STANDIN)))) return
  const ids: string[] = []
  t.teardown(async () => { for (const id of ids) await removeTenantResources(id) })
  const app = await buildAuthApp(t, {
    installed: [scheduler, tenants],
    config: { tenantImage: STANDIN, tenantPlans: { free: { memory: 128 * 1024 ** 2, cpus: 0.1, maxInstances: 2, idleTimeout: IDLE_SECONDS } }, reconcileInterval: 500 }
  })
  await app.ready()
  const user = await signUp(app)
  const view = async (id: string): Promise<TenantView> => (await app.inject({ method: 'GET', url: `/api/tenants/${id}`, headers: authHeaders(user) })).json<TenantView>()
  for (let i = 0; i < 2; i++) {
    const answer = await app.inject({ method: 'POST', url: '/api/tenants', headers: authHeaders(user), payload: { plan: 'free' } })
    t.equal(answer.statusCode, 202, answer.body)
    ids.push(answer.json<TenantView>().id)
  }
  const [quiet, busy] = ids as [string, string]
  // The router reports traffic to `busy` all along (and to `quiet` once it is woken by a request).
  const active = new Set([busy])
  const traffic = setInterval(() => { for (const id of active) app.tenants.reportActivity(id) }, 300)
  t.teardown(() => { clearInterval(traffic) })

  await until('the quiet instance to be stopped for idleness', async () => { const seen = await view(quiet); return seen.status === 'stopped' && seen.idleStoppedAt !== null })
  t.equal(await docker('inspect', '-f', '{{.State.Running}}', `openclaw-tenant-${quiet}`), 'false', 'its container is stopped, kept for waking')
  // On a busy machine its first start can still be under way here: wait for it, never for a stop.
  const stillUp = await until('the busy instance to be running', async () => { const seen = await view(busy); return (seen.status === 'running' || seen.desired !== 'running') && seen })
  t.match(stillUp, { status: 'running', desired: 'running', idleStoppedAt: null }, 'the instance with activity keeps running')

  t.equal(await app.tenants.wake(quiet), true, 'wake starts an idle-stopped instance')
  active.add(quiet)
  await until('the woken instance to run', async () => (await view(quiet)).status === 'running')
  t.match(await view(quiet), { desired: 'running', idleStoppedAt: null })

  clearInterval(traffic)
  const stopped = await app.inject({ method: 'POST', url: `/api/tenants/${busy}/stop`, headers: authHeaders(user) })
  t.equal(stopped.statusCode, 202)
  await until('the owner\'s stop', async () => (await view(busy)).status === 'stopped')
  t.equal(await app.tenants.wake(busy), false, 'an instance its owner stopped is not woken')
  t.equal((await view(busy)).desired, 'stopped')
})
