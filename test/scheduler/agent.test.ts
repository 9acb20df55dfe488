// The worker agent and scripts/add-worker.sh against a real server process and the real Docker
// engine: registration with a worker key, heartbeats with live stats, refused keys.
import t from 'tap'
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { packageInfo } from '../../server/package-info.js'
import { docker as dockerEngine, requireComponents } from '../helpers/components.js'
import { docker } from '../helpers/docker.js'
import { startCli } from '../helpers/process.js'
import { api, registerUser, startServerProcess } from '../helpers/server-process.js'
import { until } from '../helpers/wait.js'

const run = promisify(execFile)
const ADD_WORKER = path.join(packageInfo.root, 'scripts', 'add-worker.sh')
t.setTimeout(120_000)

interface WorkerView { id: string, name: string, state: string, endpoint: string, labels: Record<string, string>, capacity: { memory: number, cpu: number }, lastHeartbeatAt: string | null, stats: { memoryUsed: number, memoryTotal: number, cpus: number, cpuLoad: number, containers: number, containersRunning: number, at: string } | null }

t.test('worker-agent and add-worker.sh register Docker hosts with a real server', async (t) => {
  if (!(await requireComponents(t, dockerEngine))) return
  const adminEmail = `admin-${Date.now()}@example.com`
  const server = await startServerProcess(t, { config: { adminEmails: [adminEmail] } })
  const admin = await registerUser(server.url, adminEmail)
  const workerNamed = async (name: string): Promise<WorkerView | undefined> =>
    (await api<WorkerView[]>(server.url, admin.accessToken, 'GET', '/api/admin/workers')).body.find((worker) => worker.name === name)
  const engine = JSON.parse(await docker('info', '--format', '{{json .}}')) as { MemTotal: number, NCPU: number }

  await t.test('the agent registers and heartbeats with live stats', async (t) => {
    const created = await api<{ key: string }>(server.url, admin.accessToken, 'POST', '/api/admin/workers', { name: 'agent-host' })
    t.equal(created.status, 201)
    const agent = startCli(['worker-agent', '--server', server.url, '--label', 'zone=lab', '--interval', '1'], { OPENCLAW_WORKER_KEY: created.body.key })
    t.teardown(async () => { if (agent.child.exitCode === null) { agent.child.kill('SIGTERM'); await agent.finished } })

    // The CLI itself takes a while to start on a loaded machine.
    const first = await until('the agent\'s first heartbeat', async () => { const worker = await workerNamed('agent-host'); return worker?.stats != null && worker }, 90_000)
      .catch((err: Error) => { throw new Error(`${err.message}; agent output:\n${agent.output()}`) })
    t.match(first, { state: 'active', endpoint: 'unix:///var/run/docker.sock', labels: { zone: 'lab' }, capacity: { memory: engine.MemTotal, cpu: engine.NCPU * 4 } })
    t.equal(first.stats!.memoryTotal, engine.MemTotal)
    t.equal(first.stats!.cpus, engine.NCPU)
    t.ok(first.stats!.memoryUsed > 0 && first.stats!.memoryUsed <= engine.MemTotal * 1.01, 'memory in use is plausible')
    t.ok(first.stats!.cpuLoad >= 0, 'CPU load reported')

    // Live: a container started now shows up in a later heartbeat.
    const extra = await docker('run', '-d', '--label', 'openclaw.cloud/test=true', 'openclaw-cloud/standin:latest')
    const startedAt = Date.now() // `docker run -d` returns once the container runs
    t.teardown(() => docker('rm', '-f', extra).catch(() => undefined))
    const later = await until('a later heartbeat', async () => { const worker = await workerNamed('agent-host'); return worker !== undefined && worker.stats!.at !== first.stats!.at && worker })
    t.ok(Date.parse(later.lastHeartbeatAt!) > Date.parse(first.lastHeartbeatAt!), 'heartbeats keep coming')
    // Other test files share this engine and start and remove containers meanwhile, so exact counts
    // cannot be compared; a heartbeat taken while ours runs must count it.
    const counted = await until('a heartbeat after our container started', async () => { const worker = await workerNamed('agent-host'); return worker !== undefined && Date.parse(worker.stats!.at) > startedAt + 1000 && worker })
    t.ok(counted.stats!.containersRunning >= 1 && counted.stats!.containers >= counted.stats!.containersRunning, `live counts: ${counted.stats!.containersRunning} running of ${counted.stats!.containers}`)
    t.match(agent.output(), /registered as worker agent-host \(active\); heartbeat every 1 s/)

    agent.child.kill('SIGTERM')
    t.equal((await agent.finished).code, 0, 'SIGTERM stops it cleanly')
  })

  await t.test('a wrong key stops the agent with a clear message', async (t) => {
    const wrong = await startCli(['worker-agent', '--server', server.url], { OPENCLAW_WORKER_KEY: `ocw_${'x'.repeat(43)}` }).finished
    t.equal(wrong.code, 1)
    t.match(wrong.stderr, `openclaw-cloud: ${server.url} refused the worker key (/api/workers/register); ask an admin for a new one`)
  })

  await t.test('scripts/add-worker.sh creates and registers a worker', async (t) => {
    const env = { PATH: process.env.PATH, OPENCLAW_CLOUD_URL: server.url, OPENCLAW_CLOUD_TOKEN: admin.accessToken }
    const { stdout } = await run(ADD_WORKER, ['script-host', 'unix:///var/run/docker.sock', 'zone=eu-1'], { env })
    t.match(stdout, /^worker script-host \(.+\) is active: \d+ bytes, \d+ CPUs at unix:\/\/\/var\/run\/docker\.sock$/m)
    const key = /^OPENCLAW_WORKER_KEY=(ocw_\S+)$/m.exec(stdout)?.[1]
    t.ok(key, 'prints the worker key once')
    const worker = await workerNamed('script-host')
    t.match(worker, { state: 'active', labels: { 'zone': 'eu-1' }, capacity: { memory: engine.MemTotal, cpu: engine.NCPU * 4 } })
    const beat = await fetch(`${server.url}/api/workers/heartbeat`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{}' })
    t.equal(beat.status, 200, 'the printed key heartbeats')

    const taken = await run(ADD_WORKER, ['script-host', 'unix:///var/run/docker.sock'], { env }).catch((err: { code: number, stderr: string }) => err)
    t.equal((taken as { code: number }).code, 1)
    t.match((taken as { stderr: string }).stderr, 'add-worker: POST /api/admin/workers: HTTP 409: A worker named script-host exists already')
    const plain = await run(ADD_WORKER, ['plain', 'http://10.0.0.1:2375'], { env }).catch((err: { code: number, stderr: string }) => err)
    t.match((plain as { stderr: string }).stderr, 'DOCKER_URL must start with unix:// or tcp://')
    const notAdmin = await registerUser(server.url, `user-${Date.now()}@example.com`)
    const refused = await run(ADD_WORKER, ['x-host', 'unix:///var/run/docker.sock'], { env: { ...env, OPENCLAW_CLOUD_TOKEN: notAdmin.accessToken } }).catch((err: { code: number, stderr: string }) => err)
    t.match((refused as { stderr: string }).stderr, /HTTP 403/)
  })
})
