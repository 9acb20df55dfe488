// Placement benchmark (issue 4 "Scheduling strategies"): the pure `place()` of the scheduler over
// 10,000 workers already holding 100,000 tenants, timed per decision for every strategy. Each
// decision is applied (the chosen worker's allocation, spread counts and round-robin cursor move on)
// before the next, as the tenants plugin does. Goal: well under 10 ms per decision.
//   npx tsx bench/placement/run.ts [--workers 10000] [--tenants 100000] [--decisions 1000] [--seed 1]
import os from 'node:os'
import { parseArgs } from 'node:util'
import { place, STRATEGIES, type Candidate, type Resources, type Strategy } from '../../plugins/scheduler/placement.js'

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '10000' },
    tenants: { type: 'string', default: '100000' },
    decisions: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' }
  }
})
const WORKERS = Number(values.workers)
const TENANTS = Number(values.tenants)
const DECISIONS = Number(values.decisions)
const SEED = Number(values.seed)
const WARMUP = 200
const GIB = 1024 ** 3
const ZONES = ['eu-1', 'eu-2', 'eu-3', 'us-1', 'us-2', 'us-3', 'ap-1', 'ap-2']

// The default plans (plugins/tenants/plans.ts) and a mix weighted towards the small ones.
const PLANS: Array<{ weight: number, reservation: Resources }> = [
  { weight: 60, reservation: { memory: GIB, cpu: 0.5 } },
  { weight: 25, reservation: { memory: 2 * GIB, cpu: 1 } },
  { weight: 12, reservation: { memory: 4 * GIB, cpu: 2 } },
  { weight: 3, reservation: { memory: 8 * GIB, cpu: 4 } }
]

/** mulberry32: a seeded generator, so every run builds the same fleet. */
function rng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function pickPlan (random: () => number): Resources {
  let roll = random() * 100
  for (const plan of PLANS) {
    roll -= plan.weight
    if (roll < 0) return plan.reservation
  }
  return PLANS[0]!.reservation
}

interface Fleet { workers: Candidate[], spreadCounts: Map<string, number>, tenants: number }

/** 10,000 workers of mixed sizes in 8 zones (some draining or offline), then 100,000 tenants on them. */
function buildFleet (random: () => number): Fleet {
  const workers: Candidate[] = []
  const sizes = [{ memory: 32 * GIB, cpu: 32 }, { memory: 64 * GIB, cpu: 64 }, { memory: 128 * GIB, cpu: 128 }]
  for (let i = 0; i < WORKERS; i++) {
    const size = sizes[Math.floor(random() * sizes.length)]!
    const roll = random()
    workers.push({
      // Random ids (like the UUIDs the scheduler gives remote workers), so id order is not insertion order.
      id: Math.floor(random() * 2 ** 48).toString(36).padStart(10, '0') + i.toString(36),
      state: roll < 0.02 ? 'draining' : roll < 0.03 ? 'offline' : 'active',
      labels: { zone: ZONES[i % ZONES.length]!, arch: 'amd64' },
      capacity: { ...size },
      allocated: { memory: 0, cpu: 0 }
    })
  }
  const spreadCounts = new Map<string, number>()
  let placed = 0
  for (let attempts = 0; placed < TENANTS && attempts < TENANTS * 4; attempts++) {
    const worker = workers[Math.floor(random() * workers.length)]!
    const need = pickPlan(random)
    if (worker.capacity.memory - worker.allocated.memory < need.memory || worker.capacity.cpu - worker.allocated.cpu < need.cpu) continue
    worker.allocated.memory += need.memory
    worker.allocated.cpu += need.cpu
    spreadCounts.set(worker.labels.zone!, (spreadCounts.get(worker.labels.zone!) ?? 0) + 1)
    placed++
  }
  return { workers, spreadCounts, tenants: placed }
}

function clone (fleet: Fleet): Fleet {
  return {
    workers: fleet.workers.map((worker) => ({ ...worker, capacity: { ...worker.capacity }, allocated: { ...worker.allocated } })),
    spreadCounts: new Map(fleet.spreadCounts),
    tenants: fleet.tenants
  }
}

interface Result { strategy: Strategy, p50: number, p99: number, max: number, mean: number, placed: number, distinct: number }

function quantile (sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

function run (base: Fleet, strategy: Strategy, random: () => number): Result {
  const fleet = clone(base)
  const byId = new Map(fleet.workers.map((worker) => [worker.id, worker]))
  let lastWorkerId: string | undefined
  const timings: number[] = []
  const chosen = new Set<string>()
  let placed = 0
  for (let i = 0; i < WARMUP + DECISIONS; i++) {
    const reservation = pickPlan(random)
    const started = process.hrtime.bigint()
    const result = place(fleet.workers, { reservation, strategy, spreadLabel: 'zone', spreadCounts: fleet.spreadCounts, lastWorkerId })
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6
    if (i >= WARMUP) timings.push(elapsed)
    if (!result.ok) continue
    // Applied as the tenants plugin would: the next decision sees this tenant.
    const worker = byId.get(result.workerId)!
    worker.allocated.memory += reservation.memory
    worker.allocated.cpu += reservation.cpu
    fleet.spreadCounts.set(worker.labels.zone!, (fleet.spreadCounts.get(worker.labels.zone!) ?? 0) + 1)
    lastWorkerId = result.workerId
    if (i >= WARMUP) { placed++; chosen.add(result.workerId) }
  }
  timings.sort((a, b) => a - b)
  return {
    strategy,
    p50: quantile(timings, 0.5),
    p99: quantile(timings, 0.99),
    max: timings[timings.length - 1]!,
    mean: timings.reduce((sum, t) => sum + t, 0) / timings.length,
    placed,
    distinct: chosen.size
  }
}

const random = rng(SEED)
const buildStarted = performance.now()
const fleet = buildFleet(random)
const buildMs = performance.now() - buildStarted
const results = STRATEGIES.map((strategy) => run(fleet, strategy, rng(SEED + 1)))

const ms = (value: number): string => value.toFixed(3)
console.log(`\nplace(): ${WORKERS} workers (${fleet.workers.filter((w) => w.state === 'active').length} active) holding ${fleet.tenants} tenants; ` +
  `${DECISIONS} timed decisions per strategy after ${WARMUP} warm-up, each applied before the next`)
console.log(`${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, load ${os.loadavg()[0]!.toFixed(2)}, Node ${process.version}; fleet built in ${Math.round(buildMs)} ms\n`)
console.log('| strategy | p50 (ms) | p99 (ms) | max (ms) | mean (ms) | placed | distinct workers |')
console.log('|---|---:|---:|---:|---:|---:|---:|')
for (const r of results) console.log(`| ${r.strategy} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${ms(r.mean)} | ${r.placed} | ${r.distinct} |`)
const worst = Math.max(...results.map((r) => r.p99))
console.log(`\nworst p99 ${ms(worst)} ms against a 10 ms budget: ${worst < 10 ? 'OK' : 'TOO SLOW'}`)
console.log(`rerun: npx tsx bench/placement/run.ts --workers ${WORKERS} --tenants ${TENANTS} --decisions ${DECISIONS} --seed ${SEED}`)
if (worst >= 10) process.exitCode = 1
