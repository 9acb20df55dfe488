// Workers through the HTTP API, against the real Docker engine: an admin creates a worker and sees
// its key once (only a hash is stored), the worker registers and heartbeats with it, drain and
// missed heartbeats keep new instances away, and each strategy places instances as it promises on
// two workers (the local engine registered twice, in zones east and west).
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { createHash } from 'node:crypto'
import { scheduler } from '../../plugins/scheduler/index.js'
import type { Strategy } from '../../plugins/scheduler/placement.js'
import { tenants } from '../../plugins/tenants/index.js'
import { authHeaders, buildAuthApp, signUp, type SignedInUser } from '../helpers/auth.js'
import { docker as dockerEngine, dockerImage, requireComponents } from '../helpers/components.js'
import { removeTenantResources } from '../helpers/docker.js'

const STANDIN = 'openclaw-cloud/standin:latest'
const SOCKET = 'unix:///var/run/docker.sock'
const MIB = 1024 ** 2
const GIB = 1024 ** 3
// Many instances start at once on a loaded machine; the file as a whole gets 5 minutes.
t.setTimeout(300_000)

// Small instances of the stand-in: east holds 4 of them, west 8.
const TENANT = { memory: 256 * MIB, cpus: 0.25 }
const EAST = { memory: GIB, cpu: 4 }
const WEST = { memory: 2 * GIB, cpu: 4 }

interface WorkerView { id: string, name: string, state: string, endpoint: string, labels: Record<string, string>, capacity: { memory: number, cpu: number }, lastHeartbeatAt: string | null }
interface ErrorBody { statusCode: number, code: string, message: string }

interface Fixture { app: FastifyInstance, admin: SignedInUser, user: SignedInUser, tenantIds: string[] }

/** An app with the scheduler and tenants plugins; tenants it creates are removed after the app closes. */
async function fixture (t: Test, config: Record<string, unknown> = {}): Promise<Fixture> {
  const tenantIds: string[] = []
  // Registered before the app, so it runs after the app (and its reconciler) has closed.
  t.teardown(async () => { for (const id of tenantIds) await removeTenantResources(id) })
  const app = await buildAuthApp(t, {
    installed: [scheduler, tenants],
    config: { tenantImage: STANDIN, tenantPlans: { free: { ...TENANT, maxInstances: 4 } }, ...config }
  })
  await app.ready()
  return { app, admin: await signUp(app, { roles: ['admin'] }), user: await signUp(app), tenantIds }
}

async function addWorker (f: Fixture, name: string, zone: string, capacity: { memory: number, cpu: number }): Promise<{ worker: WorkerView, key: string }> {
  const created = await f.app.inject({ method: 'POST', url: '/api/admin/workers', headers: authHeaders(f.admin), payload: { name } })
  if (created.statusCode !== 201) throw new Error(`create worker ${name}: ${created.body}`)
  const { key } = created.json<{ key: string }>()
  const registered = await f.app.inject({
    method: 'POST', url: '/api/workers/register', headers: { authorization: `Bearer ${key}` },
    payload: { endpoint: SOCKET, labels: { zone }, capacity }
  })
  if (registered.statusCode !== 200) throw new Error(`register worker ${name}: ${registered.body}`)
  return { worker: registered.json<WorkerView>(), key }
}

async function drain (f: Fixture, id: string): Promise<void> {
  const answer = await f.app.inject({ method: 'POST', url: `/api/admin/workers/${id}/drain`, headers: authHeaders(f.admin) })
  if (answer.statusCode !== 200) throw new Error(`drain ${id}: ${answer.body}`)
}

/** Creates an instance as `who`; returns the answer (202 with the tenant, or the error). */
async function createTenant (f: Fixture, who: SignedInUser = f.user): Promise<{ statusCode: number, body: { id: string, workerId: string } & Partial<ErrorBody> }> {
  const answer = await f.app.inject({ method: 'POST', url: '/api/tenants', headers: authHeaders(who), payload: { plan: 'free' } })
  const body = answer.json<{ id: string, workerId: string } & Partial<ErrorBody>>()
  if (answer.statusCode === 202) f.tenantIds.push(body.id)
  return { statusCode: answer.statusCode, body }
}

t.test('an admin creates a worker; it registers and heartbeats with its key', async (t) => {
  if (!(await requireComponents(t, dockerEngine))) return
  const f = await fixture(t)
  const { app, admin, user } = f

  const created = await app.inject({ method: 'POST', url: '/api/admin/workers', headers: authHeaders(admin), payload: { name: 'east', labels: { zone: 'east' } } })
  t.equal(created.statusCode, 201, created.body)
  const { worker, key } = created.json<{ worker: WorkerView, key: string }>()
  t.match(key, /^ocw_[A-Za-z0-9_-]{40,}$/, 'the key is shown once')
  t.match(worker, { name: 'east', state: 'offline', endpoint: '', labels: { zone: 'east' } }, 'offline until it registers')

  // Only the hash is at rest: the row holds no trace of the key.
  const rows = await app.orm.em.fork().getConnection().execute<Array<Record<string, unknown>>>('select * from workers where name = ?', ['east'])
  t.equal(rows.length, 1)
  const row = JSON.stringify(rows[0])
  t.notOk(row.includes(key) || row.includes(key.slice(4)), 'the database row does not contain the key')
  t.equal(rows[0]!.key_hash, createHash('sha256').update(key).digest('hex'), 'it holds the key\'s sha256')
  const listed = await app.inject({ method: 'GET', url: '/api/admin/workers', headers: authHeaders(admin) })
  t.notOk(listed.body.includes(key.slice(4)), 'the list never shows the key again')
  t.same(listed.json<WorkerView[]>().map((w) => w.name), ['east', 'local'], 'the local engine is worker "local"')

  const taken = await app.inject({ method: 'POST', url: '/api/admin/workers', headers: authHeaders(admin), payload: { name: 'east' } })
  t.equal(taken.statusCode, 409)
  t.equal(taken.json().code, 'WORKER_NAME_TAKEN')

  // A non-admin may neither create nor list nor drain workers.
  for (const request of [
    { method: 'POST' as const, url: '/api/admin/workers', payload: { name: 'sneaky' } },
    { method: 'GET' as const, url: '/api/admin/workers' },
    { method: 'POST' as const, url: `/api/admin/workers/${worker.id}/drain` },
    { method: 'DELETE' as const, url: `/api/admin/workers/${worker.id}` }
  ]) {
    const answer = await app.inject({ ...request, headers: authHeaders(user) })
    t.equal(answer.statusCode, 403, `non-admin: ${request.method} ${request.url}`)
  }
  t.equal((await app.inject({ method: 'GET', url: '/api/admin/workers' })).statusCode, 401, 'anonymous: 401')

  // Wrong, malformed and missing keys: 401 with the uniform body.
  const registration = { endpoint: SOCKET, labels: { zone: 'east' }, capacity: EAST }
  for (const authorization of [`Bearer ocw_${'x'.repeat(43)}`, `Bearer ${key}x`, key, undefined]) {
    const answer = await app.inject({ method: 'POST', url: '/api/workers/register', headers: authorization === undefined ? {} : { authorization }, payload: registration })
    t.equal(answer.statusCode, 401, `register with ${authorization === undefined ? 'no key' : 'a wrong key'}`)
    t.equal(answer.json().code, 'WORKER_KEY_INVALID')
  }
  const wrongBeat = await app.inject({ method: 'POST', url: '/api/workers/heartbeat', headers: { authorization: `Bearer ocw_${'y'.repeat(43)}` }, payload: {} })
  t.equal(wrongBeat.statusCode, 401)

  // A heartbeat alone does not make an unregistered worker usable.
  const early = await app.inject({ method: 'POST', url: '/api/workers/heartbeat', headers: { authorization: `Bearer ${key}` }, payload: {} })
  t.equal(early.statusCode, 200)
  t.equal(early.json().state, 'offline', 'no endpoint yet: still offline')

  const plainTcp = await app.inject({ method: 'POST', url: '/api/workers/register', headers: { authorization: `Bearer ${key}` }, payload: { ...registration, endpoint: 'tcp://10.0.0.9:2375' } })
  t.equal(plainTcp.statusCode, 400)
  t.equal(plainTcp.json().code, 'INVALID_WORKER_ENDPOINT')
  t.match(plainTcp.json().message, /needs TLS/)

  const registered = await app.inject({ method: 'POST', url: '/api/workers/register', headers: { authorization: `Bearer ${key}` }, payload: registration })
  t.equal(registered.statusCode, 200, registered.body)
  t.match(registered.json(), { id: worker.id, state: 'active', endpoint: SOCKET, labels: { zone: 'east' }, capacity: EAST })
  const firstBeat = registered.json<WorkerView>().lastHeartbeatAt!

  await new Promise((resolve) => setTimeout(resolve, 20))
  const beat = await app.inject({ method: 'POST', url: '/api/workers/heartbeat', headers: { authorization: `Bearer ${key}` }, payload: { capacity: { memory: 2 * GIB, cpu: 8 } } })
  t.equal(beat.statusCode, 200, beat.body)
  t.ok(Date.parse(beat.json().lastHeartbeatAt) > Date.parse(firstBeat), 'the heartbeat is recorded')
  t.same(beat.json().capacity, { memory: 2 * GIB, cpu: 8 }, 'a heartbeat may update the capacity')

  // Removed: its key no longer works.
  const removed = await app.inject({ method: 'DELETE', url: `/api/admin/workers/${worker.id}`, headers: authHeaders(admin) })
  t.equal(removed.statusCode, 204)
  t.equal((await app.inject({ method: 'POST', url: '/api/workers/heartbeat', headers: { authorization: `Bearer ${key}` }, payload: {} })).statusCode, 401, 'a removed worker\'s key is refused')
  t.equal((await app.inject({ method: 'POST', url: '/api/admin/workers/nope/drain', headers: authHeaders(admin) })).statusCode, 404)
})

t.test('a worker that misses its heartbeats goes offline and gets nothing new', async (t) => {
  if (!(await requireComponents(t, dockerEngine))) return
  const f = await fixture(t, { workerHeartbeatTimeout: 1000 })
  const { worker, key } = await addWorker(f, 'east', 'east', EAST)
  t.equal(worker.state, 'active')
  await drain(f, 'local')

  const state = async (): Promise<string> => (await f.app.inject({ method: 'GET', url: '/api/admin/workers', headers: authHeaders(f.admin) })).json<WorkerView[]>().find((w) => w.id === worker.id)!.state
  const deadline = Date.now() + 8000
  while (await state() !== 'offline' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(await state(), 'offline', 'silent for longer than the timeout: offline')
  const local = (await f.app.inject({ method: 'GET', url: '/api/admin/workers', headers: authHeaders(f.admin) })).json<WorkerView[]>().find((w) => w.name === 'local')!
  t.equal(local.state, 'draining', 'the local engine is refreshed by the server itself and stays as the admin set it')

  const refused = await createTenant(f)
  t.equal(refused.statusCode, 503)
  t.equal(refused.body.code, 'NO_CAPACITY')
  t.equal(refused.body.message, 'Cannot place the instance: no worker is active (all are draining or offline)')

  const beat = await f.app.inject({ method: 'POST', url: '/api/workers/heartbeat', headers: { authorization: `Bearer ${key}` }, payload: {} })
  t.equal(beat.json().state, 'active', 'a heartbeat brings it back')
  const placed = await createTenant(f)
  t.equal(placed.statusCode, 202, JSON.stringify(placed.body))
  t.equal(placed.body.workerId, worker.id)
})

/**
 * What each strategy promises for four small instances on east (room for 4) and west (room for 8),
 * with `local` drained: the picks in order are not all fixed (ties), the totals are.
 */
const PROMISES: Record<Strategy, { east: number, west: number, why: string }> = {
  'least-loaded': { east: 1, west: 3, why: 'the emptiest worker (by share of memory/CPU) each time' },
  'bin-pack': { east: 4, west: 0, why: 'the fullest worker that still fits: east first, until full' },
  spread: { east: 2, west: 2, why: 'the zone with the fewest instances each time' },
  'round-robin': { east: 2, west: 2, why: 'the next fitting worker in turn' }
}

for (const strategy of Object.keys(PROMISES) as Strategy[]) {
  t.test(`${strategy}: ${PROMISES[strategy].why}`, async (t) => {
    if (!(await requireComponents(t, dockerEngine, dockerImage(STANDIN)))) return
    const f = await fixture(t, { schedulingStrategy: strategy, schedulingSpreadLabel: 'zone' })
    const east = (await addWorker(f, 'east', 'east', EAST)).worker
    const west = (await addWorker(f, 'west', 'west', WEST)).worker
    const name = (id: string): string => id === east.id ? 'east' : id === west.id ? 'west' : id

    // Drained: the local engine (with all of this machine's memory) gets nothing new.
    await drain(f, 'local')
    const picks: string[] = []
    for (let i = 0; i < 4; i++) {
      const answer = await createTenant(f)
      t.equal(answer.statusCode, 202, JSON.stringify(answer.body))
      picks.push(name(answer.body.workerId))
    }
    t.notOk(picks.includes('local'), `a drained worker gets none (${picks.join(', ')})`)
    t.same({ east: picks.filter((p) => p === 'east').length, west: picks.filter((p) => p === 'west').length },
      { east: PROMISES[strategy].east, west: PROMISES[strategy].west }, `${strategy} placed ${picks.join(', ')}`)
    if (strategy === 'round-robin' || strategy === 'spread') {
      t.ok(picks.every((pick, i) => i === 0 || pick !== picks[i - 1]), `alternates: ${picks.join(', ')}`)
    }
    if (strategy === 'bin-pack') {
      // East is full now: the next goes to west, and with west drained nothing fits.
      const other = await signUp(f.app)
      const fifth = await createTenant(f, other)
      t.equal(name(fifth.body.workerId), 'west', 'east is full: west next')
      await drain(f, west.id)
      const full = await createTenant(f, other)
      t.equal(full.statusCode, 503)
      t.same(full.body, { statusCode: 503, code: 'NO_CAPACITY', error: 'Service Unavailable', message: 'Cannot place the instance: no worker has 256 MiB free' }, 'capacity error names the memory it needs')
    }
    if (strategy === 'least-loaded') {
      // The plan allows 4 per user: the quota answers before any placement.
      const fifth = await createTenant(f)
      t.equal(fifth.statusCode, 403)
      t.same(fifth.body, { statusCode: 403, code: 'QUOTA_EXCEEDED', error: 'Forbidden', message: 'Plan free allows 4 instances per user (maxInstances); you have 4' }, 'quota error names the limit')
    }

    // The instances really run on the engine those workers stand for.
    const running = async (): Promise<number> => (await Promise.all(f.tenantIds.map(async (id) =>
      (await f.app.inject({ method: 'GET', url: `/api/tenants/${id}`, headers: authHeaders(f.user) })).json<{ status: string }>().status))).filter((s) => s === 'running').length
    const deadline = Date.now() + 30_000
    const mine = f.tenantIds.length - (strategy === 'bin-pack' ? 1 : 0)
    while (await running() < mine && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250))
    t.equal(await running(), mine, 'the user\'s instances are running')
  })
}
