// Instances' container output reaches Loki (the local push receiver) with the instance's labels, from
// a real stand-in container on the local Docker engine; the follow ends when the container stops,
// and starts again, without repeating lines, when it runs again. Docker's timestamps become Loki's.
import t from 'tap'
import { dockerTimestampToNs } from '../../plugins/tenants/log-shipping.js'
import { scheduler } from '../../plugins/scheduler/index.js'
import { tenants } from '../../plugins/tenants/index.js'
import { authHeaders, buildAuthApp, signUp } from '../helpers/auth.js'
import { docker as dockerEngine, dockerImage, requireComponents } from '../helpers/components.js'
import { removeTenantResources } from '../helpers/docker.js'
import { startLokiReceiver } from '../helpers/loki.js'
import { until } from '../helpers/wait.js'

const STANDIN = 'openclaw-cloud/standin:latest'

t.test('Docker timestamps become Loki nanoseconds', async (t) => {
  t.equal(dockerTimestampToNs('2026-11-28T20:46:29.123456789Z'), '1795898789123456789')
  t.equal(dockerTimestampToNs('2026-11-28T20:46:29.5Z'), '1795898789500000000')
  t.equal(dockerTimestampToNs('2026-11-28T20:46:29Z'), '1795898789000000000')
  t.equal(dockerTimestampToNs('not a time'), null)
})

t.test('an instance\'s output is shipped to Loki with its labels while it runs', async (t) => {
  if (!(await requireComponents(t, dockerEngine, dockerImage(STANDIN)))) return
  const loki = await startLokiReceiver(t)
  const cleanup: string[] = []
  t.teardown(async () => { for (const id of cleanup) await removeTenantResources(id) })
  const app = await buildAuthApp(t, {
    installed: [scheduler, tenants],
    config: { lokiUrl: loki.url, lokiEnvironment: 'staging', tenantImage: STANDIN, tenantPlans: { free: { memory: 128 * 1024 ** 2 } }, reconcileInterval: 1000 }
  })
  await app.ready()
  const alice = await signUp(app)
  const created = await app.inject({ method: 'POST', url: '/api/tenants', headers: authHeaders(alice), payload: { plan: 'free' } })
  t.equal(created.statusCode, 202, created.body)
  const tenant = created.json<{ id: string, slug: string }>()
  cleanup.push(tenant.id)

  const ofInstance = (): Array<{ labels: Record<string, string>, line: string }> => loki.lines().filter(({ labels }) => labels.app === 'openclaw-tenant')
  await until('the stand-in\'s start line in Loki', () => ofInstance().some(({ line }) => line.includes('standin listening')), 60_000)
  t.same(app.tenants.logShipping!.following(), [tenant.slug], 'its output is followed')
  const started = ofInstance().find(({ line }) => line.includes('standin listening'))!
  t.same(started.labels, { app: 'openclaw-tenant', env: 'staging', tenant: tenant.slug }, 'one stream per instance, labelled with its slug')
  t.match(JSON.parse(started.line), { msg: 'standin listening' }, 'the line as the container wrote it, without Docker\'s timestamp')
  const stream = loki.pushes.flatMap((push) => push.streams).find((candidate) => candidate.stream.tenant === tenant.slug)!
  const ns = BigInt(stream.values[0]![0])
  t.ok(ns > BigInt(Date.now() - 120_000) * 1_000_000n && ns <= BigInt(Date.now()) * 1_000_000n, 'Loki gets the time Docker recorded, in nanoseconds')

  const stopped = await app.inject({ method: 'POST', url: `/api/tenants/${tenant.id}/stop`, headers: authHeaders(alice) })
  t.equal(stopped.statusCode, 202, stopped.body)
  await until('the stand-in\'s stop line in Loki', () => ofInstance().some(({ line }) => line.includes('standin stopping')), 60_000)
  await until('the follow to end with the container', () => app.tenants.logShipping!.following().length === 0, 30_000)

  const started2 = await app.inject({ method: 'POST', url: `/api/tenants/${tenant.id}/start`, headers: authHeaders(alice) })
  t.equal(started2.statusCode, 202, started2.body)
  await until('the second start line in Loki', () => ofInstance().filter(({ line }) => line.includes('standin listening')).length === 2, 60_000)
  t.same(app.tenants.logShipping!.following(), [tenant.slug], 'followed again')
  t.equal(ofInstance().filter(({ line }) => line.includes('standin stopping')).length, 1, 'earlier lines are not shipped again')
  t.equal(app.tenants.logShipping!.dropped(), 0)
  t.notOk(loki.lines().some(({ labels }) => labels.app === 'openclaw-cloud' && 'tenant' in labels), 'the server\'s own lines keep their few labels')
})

t.test('without LOKI_URL nothing is followed', async (t) => {
  const app = await buildAuthApp(t, { installed: [scheduler, tenants], config: { reconcileInterval: 3_600_000 } })
  await app.ready()
  t.equal(app.tenants.logShipping, undefined)
})
