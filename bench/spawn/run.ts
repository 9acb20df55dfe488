// Spawn speed, side by side in one run with the same gateway image: our `POST /api/tenants` until the
// instance is routable, against OpenClaw's own `openclaw fleet create <id> --image <image>` until its
// gateway is healthy; one create alone, then N at once. Our own overhead is the time beyond the
// gateway's start (from the `starting` to the `healthy` progress event). Prints a table and the
// command to rerun it. Needs the Docker engine and the images of `bash scripts/build-images.sh`.
// Our creates run on a worker that has prepared its compile cache for the image (plugins/tenants/
// compile-cache.ts; a one-off per image and worker, printed when it happens here); fleet has none.
//
//   npx tsx bench/spawn/run.ts                      (BENCH_CONCURRENT=5 creates at once by default;
//                                                   20 needs 40 GiB: N x 2 GiB must fit in memory)
import { execFile } from 'node:child_process'
import { access, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { oauthPlugin } from '../../plugins/oauth/index.js'
import { scheduler } from '../../plugins/scheduler/index.js'
import { tenants } from '../../plugins/tenants/index.js'
import { buildApp } from '../../server/app.js'
import { loadConfig } from '../../server/config.js'
import { authHeaders, signUp } from '../../test/helpers/auth.js'
import { removeTenantResources } from '../../test/helpers/docker.js'

const run = promisify(execFile)
const VERSION = process.env.OPENCLAW_VERSION ?? '2026.9.6'
const IMAGE = process.env.OPENCLAW_GATEWAY_IMAGE ?? `openclaw-cloud/openclaw:${VERSION}`
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 5)
// The openclaw CLI and its Node 24 as scripts/images/build-gateway-image.sh caches them.
const CACHE = process.env.OPENCLAW_CLOUD_CACHE ?? '/var/cache/openclaw-cloud'
const NODE24 = process.env.NODE24 ?? path.join(CACHE, 'node', process.env.NODE24_VERSION ?? '24.22.3', 'package', 'bin', 'node')
const OPENCLAW_CLI = process.env.OPENCLAW_CLI ?? path.join(CACHE, 'openclaw', `${VERSION}-node${process.env.NODE24_VERSION ?? '24.22.3'}`, 'lib', 'node_modules', 'openclaw', 'openclaw.mjs')
const GIB = 1024 ** 3
// The same limits as fleet's defaults (2 GiB, 2 CPUs, 512 pids), so both start the same container.
const PLAN = { memory: 2 * GIB, cpus: 2, pids: 512, image: IMAGE, maxInstances: 1000 }

interface Spawn { totalS: number, gatewayStartS?: number, failed?: string }

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor((sorted.length - 1) / 2)]!
}

async function ours (count: number): Promise<Spawn[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'spawn-bench-'))
  const config = await loadConfig({
    env: {},
    cwd: dir,
    overrides: {
      dataDir: dir, logLevel: 'silent', databaseUrl: 'sqlite::memory:', passwordHashCost: 10, tenantPlans: { basic: PLAN }, tenantStartTimeout: 300_000,
      // Placement is not what this measures: the local worker offers CPU shares for every create
      // (memory it cannot overcommit: N × 2 GiB must fit in the host's memory).
      workerCpuOvercommit: Math.min(100, Math.max(4, Math.ceil((count * PLAN.cpus) / os.cpus().length)))
    }
  })
  const app = await buildApp({ config, installed: [oauthPlugin, scheduler, tenants], uiDir: path.join(dir, 'no-ui') })
  await app.ready()
  // The worker's compile cache for the image (prepared once per image and worker, on start): timed
  // creates measure a prepared worker, as every create but the first on a new worker sees it.
  const warming = performance.now()
  await app.tenants.compileCaches.settled()
  const warmS = (performance.now() - warming) / 1000
  if (warmS > 1) console.error(`compile cache prepared in ${warmS.toFixed(0)} s (once per image and worker)`)
  const ids: string[] = []
  try {
    const users = await Promise.all(Array.from({ length: count }, async () => await signUp(app)))
    return await Promise.all(users.map(async (user) => {
      const started = performance.now()
      const created = await app.inject({ method: 'POST', url: '/api/tenants', headers: authHeaders(user), payload: { plan: 'basic' } })
      if (created.statusCode !== 202) throw new Error(`POST /api/tenants answered ${created.statusCode}: ${created.body}`)
      const id = created.json<{ id: string }>().id
      ids.push(id)
      // The progress stream ends at routable, or at failed with the reason.
      const events = await app.inject({ method: 'GET', url: `/api/tenants/${id}/events`, headers: authHeaders(user) })
      const totalS = (performance.now() - started) / 1000
      const history = app.tenants.events.history(id)
      const at = (type: string): number => Date.parse(history.find((event) => event.type === type)?.at ?? '')
      if (history.at(-1)?.type !== 'routable') throw new Error(`instance ${id} did not become routable: ${events.body}`)
      return { totalS, gatewayStartS: (at('healthy') - at('starting')) / 1000 }
    }))
  } finally {
    await app.close()
    for (const id of ids) await removeTenantResources(id)
    await rm(dir, { recursive: true, force: true })
  }
}

async function fleet (count: number): Promise<Spawn[]> {
  const state = await mkdtemp(path.join(os.tmpdir(), 'fleet-bench-'))
  const env = { ...process.env, OPENCLAW_STATE_DIR: state }
  const cli = async (...args: string[]): Promise<string> => (await run(NODE24, [OPENCLAW_CLI, 'fleet', ...args], { env, maxBuffer: 16 * 1024 * 1024 })).stdout
  const cells = Array.from({ length: count }, (_, i) => `bench-${process.pid}-${i}`)
  try {
    // Fleet allocates ports from its registry; concurrent creates get explicit ports so they do not race for one.
    return await Promise.all(cells.map(async (cell, i) => {
      const started = performance.now()
      // Fleet gives up after about a minute without /healthz (a loaded host): counted, not fatal.
      const failed = await cli('create', cell, '--image', IMAGE, '--port', String(19_100 + i), '--json').then(() => undefined, (err: Error) => err.message)
      return { totalS: (performance.now() - started) / 1000, failed }
    }))
  } finally {
    for (const cell of cells) await cli('rm', cell, '--force', '--purge-data').catch(() => undefined)
    await rm(state, { recursive: true, force: true })
  }
}

async function main (): Promise<void> {
  await access(OPENCLAW_CLI).catch(() => { throw new Error(`openclaw CLI not found at ${OPENCLAW_CLI}: run \`bash scripts/build-images.sh\` (it caches it) or set OPENCLAW_CLI`) })
  await run('docker', ['image', 'inspect', IMAGE]).catch(() => { throw new Error(`image ${IMAGE} is missing: run \`bash scripts/build-images.sh\``) })
  const rows: string[][] = []
  for (const count of [1, CONCURRENT]) {
    console.error(`ours: ${count} create(s)…`)
    const our = await ours(count)
    console.error(`fleet: ${count} create(s)…`)
    const theirs = await fleet(count)
    const ourMedian = median(our.map((spawn) => spawn.totalS))
    const healthy = theirs.filter((spawn) => spawn.failed === undefined)
    for (const spawn of theirs) if (spawn.failed !== undefined) console.error(`fleet create failed: ${spawn.failed.split('\n')[0]}`)
    const fleetMedian = healthy.length === 0 ? Number.NaN : median(healthy.map((spawn) => spawn.totalS))
    const overhead = median(our.map((spawn) => spawn.totalS - (spawn.gatewayStartS ?? 0)))
    rows.push([
      String(count),
      `${ourMedian.toFixed(1)} / ${Math.max(...our.map((spawn) => spawn.totalS)).toFixed(1)}`,
      `${fleetMedian.toFixed(1)} / ${Math.max(...healthy.map((spawn) => spawn.totalS)).toFixed(1)}${healthy.length < count ? ` (${count - healthy.length} not healthy in time)` : ''}`,
      (ourMedian / fleetMedian).toFixed(2),
      median(our.map((spawn) => spawn.gatewayStartS ?? 0)).toFixed(1),
      overhead.toFixed(2)
    ])
  }
  const header = ['creates at once', 'ours: median / max s (to routable)', 'fleet: median / max s (to healthy)', 'ours ÷ fleet (goal ≤ 0.6)', 'gateway start s (median)', 'our overhead s (goal < 1)']
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)))
  const line = (cells: string[]): string => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`
  console.log(`\nSpawn speed, image ${IMAGE}, ${os.cpus().length} CPUs, ${(os.totalmem() / GIB).toFixed(0)} GiB\n`)
  console.log(line(header))
  console.log(line(widths.map((width) => '-'.repeat(width))))
  for (const row of rows) console.log(line(row))
  console.log(`\nRerun: BENCH_CONCURRENT=${CONCURRENT} npx tsx bench/spawn/run.ts`)
}

await main()
