// Placement: which worker gets a new tenant. Pure and allocation-free per decision, so one call over
// 10,000 workers stays far under a millisecond (bench/placement). Callers keep `allocated` current.
export const STRATEGIES = ['least-loaded', 'bin-pack', 'spread', 'round-robin'] as const
export type Strategy = typeof STRATEGIES[number]

export interface Resources {
  /** Bytes. */
  memory: number
  /** CPUs, fractional. */
  cpu: number
}

export interface Candidate {
  id: string
  state: 'active' | 'draining' | 'offline'
  labels: Record<string, string>
  capacity: Resources
  /** What tenants placed here reserve already. */
  allocated: Resources
}

export interface PlacementRequest {
  reservation: Resources
  strategy: Strategy
  /** spread: the worker label whose values should share tenants evenly, e.g. `zone`. */
  spreadLabel?: string
  /** spread: tenants already placed per label value (missing means none). */
  spreadCounts?: ReadonlyMap<string, number>
  /** round-robin: the worker chosen last; the next fitting one in id order follows it. */
  lastWorkerId?: string
}

export type Placement = { ok: true, workerId: string } | { ok: false, reason: string }

const GIB = 1024 ** 3

export function formatBytes (bytes: number): string {
  if (bytes >= GIB) return `${+(bytes / GIB).toFixed(2)} GiB`
  return `${+(bytes / 1024 ** 2).toFixed(0)} MiB`
}

function memoryFits (worker: Candidate, need: Resources): boolean {
  return worker.capacity.memory - worker.allocated.memory >= need.memory
}

function cpuFits (worker: Candidate, need: Resources): boolean {
  return worker.capacity.cpu - worker.allocated.cpu >= need.cpu - 1e-9
}

/** Share of the worker in use after placing `need`: the larger of memory and CPU. */
function loadAfter (worker: Candidate, need: Resources): number {
  const memory = worker.capacity.memory === 0 ? 1 : (worker.allocated.memory + need.memory) / worker.capacity.memory
  const cpu = worker.capacity.cpu === 0 ? 1 : (worker.allocated.cpu + need.cpu) / worker.capacity.cpu
  return Math.max(memory, cpu)
}

export function place (workers: readonly Candidate[], request: PlacementRequest): Placement {
  const need = request.reservation
  let best: Candidate | undefined
  let bestScore = Infinity
  let active = 0
  let memoryFitsSomewhere = false
  // round-robin: the first fitting worker after lastWorkerId (by id), else the first fitting overall.
  let wrapped: Candidate | undefined
  for (const worker of workers) {
    if (worker.state !== 'active') continue
    active++
    if (!memoryFits(worker, need)) continue
    memoryFitsSomewhere = true
    if (!cpuFits(worker, need)) continue
    let score: number
    switch (request.strategy) {
      case 'least-loaded': score = loadAfter(worker, need); break
      case 'bin-pack': score = -loadAfter(worker, need); break
      case 'spread': {
        const value = request.spreadLabel === undefined ? undefined : worker.labels[request.spreadLabel]
        const count = value === undefined ? Number.MAX_SAFE_INTEGER / 4 : request.spreadCounts?.get(value) ?? 0
        // Fewest tenants in the label value first; least loaded breaks ties within a value.
        score = count * 2 + loadAfter(worker, need)
        break
      }
      case 'round-robin': {
        if (wrapped === undefined || worker.id < wrapped.id) wrapped = worker
        if (request.lastWorkerId !== undefined && worker.id <= request.lastWorkerId) continue
        score = 0
        if (best === undefined || worker.id < best.id) { best = worker; bestScore = score }
        continue
      }
    }
    if (score < bestScore || (score === bestScore && best !== undefined && worker.id < best.id)) {
      best = worker
      bestScore = score
    }
  }
  best ??= wrapped
  if (best !== undefined) return { ok: true, workerId: best.id }
  if (active === 0) return { ok: false, reason: workers.length === 0 ? 'no worker is registered' : 'no worker is active (all are draining or offline)' }
  // Name the resource that ran out; memory first, as it is the usual limit (a gateway needs ~700 MB).
  return { ok: false, reason: !memoryFitsSomewhere ? `no worker has ${formatBytes(need.memory)} free` : `no worker has ${need.cpu} CPU free` }
}
