// Against the real Docker engine with the stand-in image: create -> SSE reaches routable, hardening
// from `docker inspect`, isolation between users, self-healing, stop/start, delete with purge.
import t from 'tap'
import { scheduler } from '../../plugins/scheduler/index.js'
import { tenants } from '../../plugins/tenants/index.js'
import { authHeaders, buildAuthApp, signUp } from '../helpers/auth.js'
import { docker as dockerComponent, dockerImage, requireComponents } from '../helpers/components.js'
import { docker } from '../helpers/docker.js'
import { until } from '../helpers/wait.js'
import { removeTenantResources } from '../helpers/docker.js'

const STANDIN = 'openclaw-cloud/standin:latest'

t.test('tenant lifecycle on the local Docker engine', async (t) => {
  if (!(await requireComponents(t, dockerComponent, dockerImage(STANDIN)))) return
  // Before the app, so it runs after the app closed: a running reconciler would heal what it removes.
  const created: string[] = []
  t.teardown(async () => { for (const id of created) await removeTenantResources(id) })
  const app = await buildAuthApp(t, {
    installed: [scheduler, tenants],
    config: { tenantImage: STANDIN, tenantPlans: { free: { memory: 128 * 1024 ** 2 } }, reconcileInterval: 1000, orphanGrace: 500 }
  })
  await app.ready()
  const alice = await signUp(app)
  const bob = await signUp(app)

  const posted = await app.inject({ method: 'POST', url: '/api/tenants', headers: authHeaders(alice), payload: { plan: 'free' } })
  t.equal(posted.statusCode, 202, posted.body)
  const tenant = posted.json<{ id: string, slug: string, url: string }>()
  created.push(tenant.id)
  t.match(tenant.slug, /^tenant-[0-9a-z]{4}$/)
  t.equal(tenant.url, `http://${tenant.slug}.localhost:${new URL(app.config.publicUrl).port}`)

  const events = await app.inject({ method: 'GET', url: `/api/tenants/${tenant.id}/events`, headers: authHeaders(alice) })
  const types = [...events.body.matchAll(/^event: (\S+)$/gm)].map((match) => match[1])
  t.same(types, ['scheduled', 'image-ready', 'container-created', 'starting', 'healthy', 'routable'])
  const ids = [...events.body.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]))
  t.equal(ids.length, types.length, 'every progress event carries an id')
  // EventSource reconnects when a stream ends: after the final event it is told to stop, not replayed to.
  const reconnect = async (lastEventId: number): Promise<Awaited<ReturnType<typeof app.inject>>> => await app.inject({ method: 'GET', url: `/api/tenants/${tenant.id}/events`, headers: { ...authHeaders(alice), 'last-event-id': String(lastEventId) } })
  const afterFinal = await reconnect(ids.at(-1)!)
  t.equal(afterFinal.statusCode, 204, 'a client that saw the final event gets 204 No Content and stops reconnecting')
  t.equal(afterFinal.body, '')
  const midway = await reconnect(ids[2]!)
  t.same([...midway.body.matchAll(/^event: (\S+)$/gm)].map((match) => match[1]), ['starting', 'healthy', 'routable'], 'a client that broke off midway gets only what it missed')

  const inspect = JSON.parse(await docker('inspect', `openclaw-tenant-${tenant.id}`))[0]
  t.same(inspect.HostConfig.CapDrop, ['ALL'])
  t.same(inspect.HostConfig.SecurityOpt, ['no-new-privileges:true'])
  t.equal(inspect.Config.User, '1000:1000')
  t.equal(inspect.HostConfig.Memory, 128 * 1024 ** 2)
  t.equal(inspect.HostConfig.PidsLimit, 256)
  t.equal(inspect.Config.Labels['openclaw.cloud/tenant'], tenant.id)
  t.equal(inspect.Config.Labels['openclaw.cloud/managed'], 'true')
  t.same(inspect.HostConfig.LogConfig, { Type: 'json-file', Config: { 'max-file': '3', 'max-size': '10m' } })
  const configFile = await docker('run', '--rm', '-v', `openclaw-tenant-${tenant.id}-state:/s`, '--entrypoint', 'node', STANDIN, '-e',
    "const fs=require('fs');const s=fs.statSync('/s/openclaw.json');console.log(s.uid+' '+fs.readFileSync('/s/openclaw.json','utf8'))")
  t.match(configFile, /^1000 /, 'config owned by the node user')
  t.match(configFile, new RegExp(`"allowedOrigins": \\[\\s*"${tenant.url}"`))
  t.match(configFile, new RegExp(alice.email.replace('.', '\\.')))

  const shown = await app.inject({ method: 'GET', url: `/api/tenants/${tenant.id}`, headers: authHeaders(alice) })
  t.equal(shown.json().status, 'running')

  for (const request of [
    { method: 'GET' as const, url: `/api/tenants/${tenant.id}` },
    { method: 'GET' as const, url: `/api/tenants/${tenant.id}/logs` },
    { method: 'POST' as const, url: `/api/tenants/${tenant.id}/stop` },
    { method: 'DELETE' as const, url: `/api/tenants/${tenant.id}` }
  ]) {
    const answer = await app.inject({ ...request, headers: authHeaders(bob) })
    t.equal(answer.statusCode, 404, `bob: ${request.method} ${request.url}`)
  }
  t.same((await app.inject({ method: 'GET', url: '/api/tenants', headers: authHeaders(bob) })).json(), [])

  const quota = await app.inject({ method: 'POST', url: '/api/tenants', headers: authHeaders(alice), payload: { plan: 'free' } })
  t.equal(quota.statusCode, 403)
  t.match(quota.json().message, /Plan free allows 1 instance per user/)

  const logs = await app.inject({ method: 'GET', url: `/api/tenants/${tenant.id}/logs?tail=50`, headers: authHeaders(alice) })
  t.equal(logs.statusCode, 200)
  const stats = await app.inject({ method: 'GET', url: `/api/tenants/${tenant.id}/stats`, headers: authHeaders(alice) })
  t.equal(stats.statusCode, 200, stats.body)
  t.ok(stats.json().memory.usage > 0, 'memory in use')

  // Removed behind our back: back within one sweep.
  await docker('rm', '-f', `openclaw-tenant-${tenant.id}`)
  await until('the container to come back', async () => (await docker('ps', '-q', '--filter', `name=openclaw-tenant-${tenant.id}`)) !== '', 5000)
  t.pass('container recreated')

  // An orphan: labelled, no tenant.
  const orphan = await docker('run', '-d', '--label', 'openclaw.cloud/managed=true', '--label', 'openclaw.cloud/tenant=ghost', '--label', 'openclaw.cloud/test=true', STANDIN)
  t.teardown(() => docker('rm', '-f', orphan).catch(() => undefined))
  await until('the orphan to go', async () => (await docker('ps', '-aq', '--filter', `id=${orphan}`)) === '', 8000)
  t.pass('orphan removed')

  const stopped = await app.inject({ method: 'POST', url: `/api/tenants/${tenant.id}/stop`, headers: authHeaders(alice) })
  t.equal(stopped.statusCode, 202)
  await until('stopped', async () => (await app.inject({ method: 'GET', url: `/api/tenants/${tenant.id}`, headers: authHeaders(alice) })).json().status === 'stopped')
  await app.inject({ method: 'POST', url: `/api/tenants/${tenant.id}/start`, headers: authHeaders(alice) })
  await until('running again', async () => (await app.inject({ method: 'GET', url: `/api/tenants/${tenant.id}`, headers: authHeaders(alice) })).json().status === 'running')

  const removed = await app.inject({ method: 'DELETE', url: `/api/tenants/${tenant.id}?purge=true`, headers: authHeaders(alice) })
  t.equal(removed.statusCode, 202)
  await until('purged', async () => (await docker('volume', 'ls', '-q', '--filter', `label=openclaw.cloud/tenant=${tenant.id}`)) === '' &&
    (await docker('ps', '-aq', '--filter', `label=openclaw.cloud/tenant=${tenant.id}`)) === '')
  t.pass('container, network and volume removed')
})

t.test('with no Docker and no worker, create answers 503 saying so', async (t) => {
  const app = await buildAuthApp(t, { installed: [scheduler, tenants], config: { dockerSocket: '/nonexistent/docker.sock' } })
  await app.ready()
  const alice = await signUp(app)
  const answer = await app.inject({ method: 'POST', url: '/api/tenants', headers: authHeaders(alice), payload: {} })
  t.equal(answer.statusCode, 503)
  t.equal(answer.json().code, 'NO_DOCKER')
  t.match(answer.json().message, /nonexistent\/docker\.sock does not answer and no worker has registered/)
})
