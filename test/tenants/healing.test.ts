// Self-healing against the real Docker engine and the real server process (stand-in image):
// SIGKILL during 10 concurrent creates, a container removed behind our back, an orphan, and a worker
// that stops answering.
import t from 'tap'
import path from 'node:path'
import { installationId } from '../../plugins/tenants/installation.js'
import { docker as dockerEngine, dockerImage, requireComponents } from '../helpers/components.js'
import { docker, removeLabelled } from '../helpers/docker.js'
import { api, registerUser, startServerProcess, type ApiUser } from '../helpers/server-process.js'
import { startSocketProxy } from '../helpers/socket-proxy.js'
import { until } from '../helpers/wait.js'

const STANDIN = 'openclaw-cloud/standin:latest'
const MIB = 1024 ** 2
const SWEEP_MS = 1000
const ORPHAN_GRACE_MS = 10_000
const WORKER_TIMEOUT_MS = 1500
t.setTimeout(240_000)

interface TenantView { id: string, status: string, statusReason: string | null, workerId: string }
interface ContainerRow { id: string, tenant: string, state: string }

/** Managed containers of one installation, with their tenant and state. */
async function containersOf (installation: string): Promise<ContainerRow[]> {
  const out = await docker('ps', '-a', '--filter', `label=openclaw.cloud/installation=${installation}`, '--format', '{{.ID}} {{.Label "openclaw.cloud/tenant"}} {{.State}}')
  return out === '' ? [] : out.split('\n').map((line) => { const [id, tenant, state] = line.split(' '); return { id: id!, tenant: tenant!, state: state! } })
}


t.test('the reconciler heals a real server process', async (t) => {
  if (!(await requireComponents(t, dockerEngine, dockerImage(STANDIN)))) return
  let installation = ''
  // Registered first: runs after the server process has stopped.
  t.teardown(() => installation === '' ? undefined : removeLabelled(`openclaw.cloud/installation=${installation}`))
  const adminEmail = `admin-${Date.now()}@example.com`
  const server = await startServerProcess(t, {
    config: {
      tenantImage: STANDIN,
      tenantPlans: { free: { memory: 128 * MIB, cpus: 0.1, maxInstances: 10 } },
      reconcileInterval: SWEEP_MS,
      orphanGrace: ORPHAN_GRACE_MS,
      workerTimeout: WORKER_TIMEOUT_MS,
      adminEmails: [adminEmail]
    }
  })
  installation = installationId({ databaseUrl: undefined, dataDir: path.resolve(server.dataDir) })
  const user = await registerUser(server.url, `user-${Date.now()}@example.com`)
  const tenantOf = async (who: ApiUser, id: string): Promise<TenantView> => (await api<TenantView>(server.url, who.accessToken, 'GET', `/api/tenants/${id}`)).body
  const allRunning = async (who: ApiUser): Promise<TenantView[] | false> => {
    const listed = (await api<TenantView[]>(server.url, who.accessToken, 'GET', '/api/tenants')).body
    return listed.every((tenant) => tenant.status === 'running') && listed
  }

  await t.test('SIGKILL during 10 concurrent creates, restart: exactly 10 containers, all running, none orphaned', async (t) => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => api<TenantView>(server.url, user.accessToken, 'POST', '/api/tenants', { plan: 'free' })))
    t.same(answers.map((answer) => answer.status), Array(10).fill(202), 'all 10 accepted')
    const ids = answers.map((answer) => answer.body.id).sort()
    // Killed while the reconciler is mid-way: some containers exist, most are not running yet.
    const seen = await until('the first container', async () => { const rows = await containersOf(installation); return rows.length > 0 && rows }, 30_000)
    await server.kill()
    const atKill = await containersOf(installation)
    t.comment(`killed with ${atKill.length} container(s) created (seen ${seen.length}), ${atKill.filter((row) => row.state === 'running').length} running`)
    t.ok(atKill.filter((row) => row.state === 'running').length < 10, 'the kill came before everything ran')

    await server.restart()
    const listed = await until('all 10 instances running', () => allRunning(user), 60_000)
    t.same(listed.map((tenant) => tenant.id).sort(), ids, 'the same 10 instances')
    const rows = await containersOf(installation)
    t.equal(rows.length, 10, 'exactly 10 containers')
    t.same(rows.map((row) => row.tenant).sort(), ids, 'one per instance, no duplicates, no orphans')
    t.ok(rows.every((row) => row.state === 'running'), 'all running')
    t.equal((await docker('network', 'ls', '-q', '--filter', `label=openclaw.cloud/installation=${installation}`)).split('\n').length, 10, 'one network each')
    t.equal((await docker('volume', 'ls', '-q', '--filter', `label=openclaw.cloud/installation=${installation}`)).split('\n').length, 10, 'one state volume each')
    // A crash between creating a container and writing its config must not leave a gateway without one.
    const mounts = ids.flatMap((id, i) => ['-v', `openclaw-tenant-${id}-state:/s${i}:ro`])
    const configs = await docker('run', '--rm', ...mounts, '--entrypoint', 'node', STANDIN, '-e',
      `const fs=require('fs');console.log(${ids.length}===[...Array(${ids.length}).keys()].filter(i=>fs.existsSync('/s'+i+'/openclaw.json')).length)`)
    t.equal(configs, 'true', 'every state volume holds the gateway config')
  })

  const [first] = (await api<TenantView[]>(server.url, user.accessToken, 'GET', '/api/tenants')).body

  await t.test('a container removed behind our back is back within one sweep', async (t) => {
    const before = (await containersOf(installation)).find((row) => row.tenant === first!.id)!
    await docker('rm', '-f', before.id)
    const removedAt = Date.now()
    const back = await until('the container to be back', async () => (await containersOf(installation)).find((row) => row.tenant === first!.id && row.state === 'running'), 2 * SWEEP_MS + 3000)
    t.not(back.id, before.id, 'a new container')
    t.ok(Date.now() - removedAt <= SWEEP_MS + 3000, `running again after ${Date.now() - removedAt} ms (sweep every ${SWEEP_MS} ms)`)
    await until('the instance to be running', async () => (await tenantOf(user, first!.id)).status === 'running', 10_000)
    t.pass('the instance shows running again')
  })

  await t.test('a labelled container with no instance is removed after the grace period, not before', async (t) => {
    const labels = ['--label', 'openclaw.cloud/managed=true', '--label', 'openclaw.cloud/tenant=ghost', '--label', 'openclaw.cloud/test=true']
    const orphan = await docker('run', '-d', ...labels, '--label', `openclaw.cloud/installation=${installation}`, STANDIN)
    const foreign = await docker('run', '-d', ...labels, '--label', 'openclaw.cloud/installation=another-control-plane', STANDIN)
    t.teardown(() => docker('rm', '-f', orphan, foreign).catch(() => undefined))
    // Docker lists creation times in whole seconds, so the grace is counted from the second it was made in.
    const createdAt = Math.floor(Date.parse(await docker('inspect', '-f', '{{.Created}}', orphan)) / 1000) * 1000
    // Counted from its creation, not from when `docker run` returned: that can take seconds on a busy engine.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, createdAt + 3 * SWEEP_MS - Date.now())))
    const present = await docker('ps', '-aq', '--filter', `id=${orphan}`)
    t.ok(Date.now() - createdAt < ORPHAN_GRACE_MS, 'checked within the grace period')
    t.not(present, '', 'still there within the grace period, after sweeps')
    await until('the orphan to go', async () => (await docker('ps', '-aq', '--filter', `id=${orphan}`)) === '', ORPHAN_GRACE_MS + 4 * SWEEP_MS)
    t.ok(Date.now() - createdAt >= ORPHAN_GRACE_MS, `removed after ${Date.now() - createdAt} ms (grace ${ORPHAN_GRACE_MS} ms)`)
    await new Promise((resolve) => setTimeout(resolve, 2 * SWEEP_MS))
    t.not(await docker('ps', '-aq', '--filter', `id=${foreign}`), '', 'another control plane\'s container is left alone')
  })

  await t.test('an unreachable worker marks its instances unreachable and gets no copies elsewhere', async (t) => {
    const admin = await registerUser(server.url, adminEmail)
    const proxy = await startSocketProxy(t)
    const created = await api<{ worker: { id: string }, key: string }>(server.url, admin.accessToken, 'POST', '/api/admin/workers', { name: 'remote' })
    t.equal(created.status, 201)
    const registered = await fetch(`${server.url}/api/workers/register`, {
      method: 'POST',
      headers: { authorization: `Bearer ${created.body.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ endpoint: proxy.endpoint, capacity: { memory: 1024 * MIB, cpu: 2 } })
    })
    t.equal(registered.status, 200)
    t.equal((await api(server.url, admin.accessToken, 'POST', '/api/admin/workers/local/drain')).status, 200)
    const other = await registerUser(server.url, `other-${Date.now()}@example.com`)
    const placed = await api<TenantView>(server.url, other.accessToken, 'POST', '/api/tenants', { plan: 'free' })
    t.equal(placed.status, 202)
    t.equal(placed.body.workerId, created.body.worker.id, 'placed on the remote worker')
    const remoteTenant = placed.body.id
    await until('the remote instance to run', async () => (await tenantOf(other, remoteTenant)).status === 'running', 30_000)
    t.equal((await api(server.url, admin.accessToken, 'POST', '/api/admin/workers/local/activate')).status, 200)

    proxy.hang()
    const unreachable = await until('the instance to be unreachable', async () => { const seen = await tenantOf(other, remoteTenant); return seen.status === 'unreachable' && seen }, WORKER_TIMEOUT_MS + 3 * SWEEP_MS + 5000)
    t.match(unreachable.statusReason, /worker remote does not answer/, `the reason names the worker: ${unreachable.statusReason}`)
    // While it hangs, the other worker's instances still heal: the sweep is not stuck on it.
    const local = (await containersOf(installation)).find((row) => row.tenant === first!.id)!
    await docker('rm', '-f', local.id)
    await until('the local container to be back', async () => (await containersOf(installation)).some((row) => row.tenant === first!.id && row.state === 'running'), SWEEP_MS + WORKER_TIMEOUT_MS + 5000)
    t.pass('the local worker heals while the remote one hangs')
    await new Promise((resolve) => setTimeout(resolve, 3 * SWEEP_MS))
    const copies = (await containersOf(installation)).filter((row) => row.tenant === remoteTenant)
    t.equal(copies.length, 1, 'no copy was created on another worker')
    t.equal((await tenantOf(other, remoteTenant)).workerId, created.body.worker.id, 'still assigned to its worker')
    const workers = (await api<Array<{ name: string, lastError: string | null }>>(server.url, admin.accessToken, 'GET', '/api/admin/workers')).body
    t.match(workers.find((worker) => worker.name === 'remote')?.lastError, /no answer within/, 'admins see why the worker is unreachable')

    proxy.resume()
    await until('the instance to be running again', async () => (await tenantOf(other, remoteTenant)).status === 'running', 70_000)
    t.pass('back to running once the worker answers')
  })
})
