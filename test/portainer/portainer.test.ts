// Portainer environments as workers, against a local stand-in of Portainer's API (Portainer itself
// cannot be installed here) that forwards Docker calls to the real engine: discovery, placement
// across the local socket and Portainer, a tenant that really runs through Portainer, and
// Portainer's failures shown as clear worker errors.
import t from 'tap'
import net from 'node:net'
import { createPortainerClient } from '../../plugins/portainer/client.js'
import { portainer } from '../../plugins/portainer/index.js'
import { scheduler } from '../../plugins/scheduler/index.js'
import { tenants } from '../../plugins/tenants/index.js'
import { authHeaders, buildAuthApp, signUp } from '../helpers/auth.js'
import { docker as dockerEngine, dockerImage, requireComponents } from '../helpers/components.js'
import { docker } from '../helpers/docker.js'
import { startPortainerStandin } from '../helpers/portainer-standin.js'
import { freePort } from '../helpers/process.js'
import { until } from '../helpers/wait.js'
import { removeTenantResources } from '../helpers/docker.js'

const STANDIN = 'openclaw-cloud/standin:latest'
const API_KEY = 'ptr_standin-access-token'
const MIB = 1024 ** 2
t.setTimeout(180_000)

interface WorkerView { id: string, name: string, kind: string, state: string, endpoint: string, capacity: { memory: number, cpu: number }, lastError: string | null }
interface TenantView { id: string, workerId: string, status: string, statusReason: string | null }

t.test('Portainer environments become workers; tenants are placed across them and run through Portainer', async (t) => {
  if (!(await requireComponents(t, dockerEngine, dockerImage(STANDIN)))) return
  const standin = await startPortainerStandin(t, {
    apiKey: API_KEY,
    environments: [
      { Id: 1, Name: 'Standin Docker', Type: 1, Status: 1 },
      { Id: 2, Name: 'cluster', Type: 5, Status: 1 }, // Kubernetes: not a Docker worker
      { Id: 3, Name: 'Lab', Type: 2, Status: 2 } // an agent Portainer reports down
    ]
  })
  const tenantIds: string[] = []
  t.teardown(async () => { for (const id of tenantIds) await removeTenantResources(id) })
  const app = await buildAuthApp(t, {
    installed: [scheduler, tenants, portainer],
    config: {
      portainerUrl: standin.url,
      portainerApiKey: API_KEY,
      portainerSyncInterval: 300,
      schedulingStrategy: 'round-robin',
      tenantImage: STANDIN,
      tenantPlans: { free: { memory: 128 * MIB, cpus: 0.1, maxInstances: 2 } },
      reconcileInterval: 1000,
      workerTimeout: 2000
    }
  })
  await app.ready()
  const admin = await signUp(app, { roles: ['admin'] })
  const user = await signUp(app)
  const listWorkers = async (): Promise<WorkerView[]> => (await app.inject({ method: 'GET', url: '/api/admin/workers', headers: authHeaders(admin) })).json<WorkerView[]>()
  const tenantView = async (id: string): Promise<TenantView> => (await app.inject({ method: 'GET', url: `/api/tenants/${id}`, headers: authHeaders(user) })).json<TenantView>()

  const workers = await listWorkers()
  t.same(workers.map((worker) => [worker.name, worker.kind, worker.state]), [
    ['local', 'docker', 'active'],
    ['portainer-1-standin-docker', 'portainer', 'active'],
    ['portainer-3-lab', 'portainer', 'offline']
  ], 'the Docker environments are workers; Kubernetes is not')
  const viaPortainer = workers.find((worker) => worker.name === 'portainer-1-standin-docker')!
  t.equal(viaPortainer.endpoint, `${standin.url}/api/endpoints/1/docker`)
  t.ok(viaPortainer.capacity.memory > 0 && viaPortainer.capacity.cpu > 0, 'capacity read from the engine through Portainer')
  t.equal(workers.find((worker) => worker.name === 'portainer-3-lab')!.lastError, 'Portainer reports environment 3 (Lab) down')

  // Round-robin over the two active workers: one instance each.
  const placed: TenantView[] = []
  for (let i = 0; i < 2; i++) {
    const answer = await app.inject({ method: 'POST', url: '/api/tenants', headers: authHeaders(user), payload: { plan: 'free' } })
    t.equal(answer.statusCode, 202, answer.body)
    placed.push(answer.json<TenantView>())
    tenantIds.push(answer.json<TenantView>().id)
  }
  t.same(placed.map((tenant) => tenant.workerId).sort(), ['local', viaPortainer.id], 'one on the local socket, one through Portainer')
  for (const tenant of placed) await until(`instance on ${tenant.workerId} running`, async () => (await tenantView(tenant.id)).status === 'running')
  const remote = placed.find((tenant) => tenant.workerId === viaPortainer.id)!
  t.equal(await docker('inspect', '-f', '{{.State.Running}}', `openclaw-tenant-${remote.id}`), 'true', 'the container created through Portainer runs')
  t.ok(standin.forwarded.includes('POST /containers/create'), 'created through Portainer\'s Docker proxy')
  t.ok(standin.forwarded.some((call) => /^POST \/containers\/[^/]+\/start$/.test(call)), 'started through Portainer\'s Docker proxy')
  t.equal(standin.refused(), 0, 'every call carried the API key')
  const logs = await app.inject({ method: 'GET', url: `/api/tenants/${remote.id}/logs?tail=20`, headers: authHeaders(user) })
  t.equal(logs.statusCode, 200, 'logs stream through Portainer')
  const stats = await app.inject({ method: 'GET', url: `/api/tenants/${remote.id}/stats`, headers: authHeaders(user) })
  t.equal(stats.statusCode, 200, stats.body)

  // A revoked key: the worker goes offline and says why; its instance is unreachable, not moved.
  standin.setApiKey('ptr_rotated')
  const failed = await until('the worker to report the refused key', async () => (await listWorkers()).find((worker) => worker.id === viaPortainer.id && worker.state === 'offline'))
  t.match(failed.lastError, new RegExp(`^Portainer at ${standin.url.replace(/\./g, '\\.')} refused the API key \\(HTTP 401: Unauthorized: A valid authorisation token is missing\\)$`))
  const unreachable = await until('the instance to be unreachable', async () => { const seen = await tenantView(remote.id); return seen.status === 'unreachable' && seen })
  t.match(unreachable.statusReason, /^worker portainer-1-standin-docker does not answer: Portainer at .* \(environment 1\) refused the API key \(HTTP 401/)
  t.equal((await docker('ps', '-aq', '--filter', `label=openclaw.cloud/tenant=${remote.id}`)).split('\n').length, 1, 'no copy anywhere else')
  const refusedCreate = await app.inject({ method: 'POST', url: '/api/tenants', headers: authHeaders(await signUp(app)), payload: { plan: 'free' } })
  t.equal(refusedCreate.statusCode, 202, 'new instances still go to the local worker')
  t.equal(refusedCreate.json<TenantView>().workerId, 'local')
  tenantIds.push(refusedCreate.json<TenantView>().id)

  standin.setApiKey(API_KEY)
  await until('the worker to be active again', async () => (await listWorkers()).find((worker) => worker.id === viaPortainer.id && worker.state === 'active' && worker.lastError === null))
  await until('the instance to be running again', async () => (await tenantView(remote.id)).status === 'running')
  t.pass('back once Portainer accepts the key again')
})

t.test('Portainer that hangs or cannot be reached is a clear error, not a stuck call', async (t) => {
  // Accepts connections and never answers: a Portainer behind a dead proxy.
  const silent = net.createServer(() => undefined)
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { silent.close() })
  const hanging = createPortainerClient({ url: `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`, apiKey: API_KEY, timeoutMs: 300 })
  await t.rejects(hanging.listEnvironments(), { message: `Portainer at ${hanging.url} did not answer within 0.3 s` })

  const closedPort = await freePort()
  const gone = createPortainerClient({ url: `http://127.0.0.1:${closedPort}`, apiKey: API_KEY, timeoutMs: 1000 })
  await t.rejects(gone.listEnvironments(), { message: `Portainer at http://127.0.0.1:${closedPort} cannot be reached: connect ECONNREFUSED 127.0.0.1:${closedPort}` })
  await t.rejects(gone.docker(7).listContainers(), { message: `Portainer at http://127.0.0.1:${closedPort} (environment 7) cannot be reached: ECONNREFUSED` })
})
