// Worker registry: the built-in `local` worker, admin-created workers with keys (hashed at rest),
// registration and heartbeats, drain and removal, and placement over the current workers.
import type { MikroORM } from '@mikro-orm/core'
import type Docker from 'dockerode'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import { createDockerClients } from './docker.js'
import { Worker, type WorkerKind, type WorkerStats, type WorkerTls } from './entities.js'
import { NoCapacity, WorkerNameTaken, WorkerNotFound } from './errors.js'
import { parseEndpoint } from './docker.js'
import { place, type Candidate, type Resources, type Strategy } from './placement.js'

export const LOCAL_WORKER = 'local'

export interface WorkersOptions {
  orm: MikroORM
  log: FastifyBaseLogger
  strategy: Strategy
  spreadLabel: string
  /** CPUs a worker offers per core: tenants' CPU limits are shares, not dedicated cores. */
  cpuOvercommit: number
  heartbeatTimeoutMs: number
}

export interface Registration {
  endpoint: string
  tls?: WorkerTls
  labels?: Record<string, string>
  capacity: Resources
}

export interface Discovered {
  id: string
  name: string
  kind: Exclude<WorkerKind, 'docker'>
  endpoint: string
  labels: Record<string, string>
  /** Unknown while it does not answer. */
  capacity?: Resources
  /** Why it cannot be used now; it goes offline. */
  error?: string
}

/** What tenants reserve on each worker (by worker id), as the tenants plugin counts them. */
export type Allocations = ReadonlyMap<string, Resources & { tenants: number }>

export function hashKey (key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

export type Workers = ReturnType<typeof createWorkers>

export function createWorkers (options: WorkersOptions) {
  const { orm, log } = options
  const clients = createDockerClients()
  // Round-robin's cursor lives with this registry instance, not in a module.
  let lastPlaced: string | undefined

  const em = (): ReturnType<MikroORM['em']['fork']> => orm.em.fork()

  async function get (id: string): Promise<Worker> {
    const worker = await em().findOne(Worker, { id })
    if (worker === null) throw new WorkerNotFound(id)
    return worker
  }

  // Docker clients of other worker kinds come from the plugin that knows them (e.g. portainer).
  const kinds = new Map<WorkerKind, (worker: Worker) => Docker>()

  function docker (worker: Worker): Docker {
    if (worker.kind === 'docker') return clients.get(worker.id, { endpoint: worker.endpoint, tls: worker.tls })
    const client = kinds.get(worker.kind)
    if (client === undefined) throw new Error(`worker ${worker.name} is a ${worker.kind} environment and the ${worker.kind} plugin is not enabled`)
    return client(worker)
  }

  return {
    get,
    docker,
    /** A plugin that brings a kind of worker says how to reach its Docker API. */
    useKind (kind: Exclude<WorkerKind, 'docker'>, client: (worker: Worker) => Docker): void {
      kinds.set(kind, client)
    },

    /**
     * Records a worker another system told us about (a Portainer environment): created on first
     * sight, refreshed after; a state an admin set (draining) is kept, `offline` follows `answers`.
     */
    async upsertDiscovered (found: Discovered): Promise<Worker> {
      const fork = em()
      const worker = await fork.findOne(Worker, { id: found.id }) ??
        fork.create(Worker, { id: found.id, name: found.name, kind: found.kind, state: 'offline', createdAt: new Date() } as Worker)
      worker.endpoint = found.endpoint
      worker.labels = found.labels
      if (found.capacity !== undefined) { worker.capacityMemory = found.capacity.memory; worker.capacityCpu = found.capacity.cpu }
      worker.lastError = found.error ?? null
      if (found.error === undefined) {
        worker.lastHeartbeatAt = new Date()
        if (worker.state === 'offline') worker.state = 'active'
      } else {
        worker.state = 'offline'
      }
      await fork.flush()
      return worker
    },

    list: async (): Promise<Worker[]> => await em().find(Worker, {}, { orderBy: { name: 'asc' } }),

    /** Registers (or refreshes) the local Docker socket as worker `local` when it answers; idempotent. */
    async ensureLocal (socketPath: string): Promise<Worker | null> {
      const endpoint = `unix://${socketPath}`
      const probe = clients.get(LOCAL_WORKER, { endpoint })
      let info: { MemTotal: number, NCPU: number }
      try {
        info = await probe.info() as { MemTotal: number, NCPU: number }
      } catch (err) {
        log.debug({ socketPath, reason: (err as Error).message }, 'no local Docker engine; worker "local" not refreshed')
        return null
      }
      const fork = em()
      const worker = await fork.findOne(Worker, { id: LOCAL_WORKER }) ?? fork.create(Worker, { id: LOCAL_WORKER, name: LOCAL_WORKER, createdAt: new Date() } as Worker)
      worker.endpoint = endpoint
      worker.capacityMemory = info.MemTotal
      worker.capacityCpu = info.NCPU * options.cpuOvercommit
      worker.lastHeartbeatAt = new Date()
      if (worker.state === 'offline') worker.state = 'active'
      await fork.flush()
      return worker
    },

    /** An admin creates a worker; its key is returned once and only its hash is kept. */
    async create (name: string, labels: Record<string, string> = {}): Promise<{ worker: Worker, key: string }> {
      const fork = em()
      if (await fork.count(Worker, { name }) > 0) throw new WorkerNameTaken(name)
      const key = `ocw_${randomBytes(32).toString('base64url')}`
      const worker = fork.create(Worker, { id: randomUUID(), name, labels, keyHash: hashKey(key), state: 'offline', createdAt: new Date() } as Worker)
      await fork.flush()
      return { worker, key }
    },

    async authenticate (key: string): Promise<Worker | null> {
      return await em().findOne(Worker, { keyHash: hashKey(key) })
    },

    async register (id: string, registration: Registration): Promise<Worker> {
      parseEndpoint(registration) // refuses a bad endpoint before it is stored
      const fork = em()
      const worker = await fork.findOneOrFail(Worker, { id })
      worker.endpoint = registration.endpoint
      worker.tls = registration.tls ?? null
      if (registration.labels !== undefined) worker.labels = registration.labels
      worker.capacityMemory = registration.capacity.memory
      worker.capacityCpu = registration.capacity.cpu
      worker.lastHeartbeatAt = new Date()
      if (worker.state === 'offline') worker.state = 'active'
      await fork.flush()
      clients.forget(id)
      return worker
    },

    async heartbeat (id: string, beat: { capacity?: Resources, stats?: Omit<WorkerStats, 'at'> } = {}): Promise<Worker> {
      const fork = em()
      const worker = await fork.findOneOrFail(Worker, { id })
      worker.lastHeartbeatAt = new Date()
      if (beat.capacity !== undefined) { worker.capacityMemory = beat.capacity.memory; worker.capacityCpu = beat.capacity.cpu }
      if (beat.stats !== undefined) worker.stats = { ...beat.stats, at: worker.lastHeartbeatAt.toISOString() }
      // A worker that never registered has no endpoint yet: heartbeats alone do not make it usable.
      if (worker.state === 'offline' && worker.endpoint !== '') worker.state = 'active'
      await fork.flush()
      return worker
    },

    /** Records why a worker did not answer (null: it answers again); writes only on change. */
    async noteError (worker: Pick<Worker, 'id' | 'lastError'>, error: string | null): Promise<void> {
      if ((worker.lastError ?? null) === error) return
      await em().nativeUpdate(Worker, { id: worker.id }, { lastError: error })
    },

    async setState (id: string, state: 'active' | 'draining'): Promise<Worker> {
      const fork = em()
      const worker = await fork.findOne(Worker, { id })
      if (worker === null) throw new WorkerNotFound(id)
      worker.state = state
      await fork.flush()
      return worker
    },

    async remove (id: string): Promise<void> {
      const fork = em()
      const worker = await fork.findOne(Worker, { id })
      if (worker === null) throw new WorkerNotFound(id)
      await fork.remove(worker).flush()
      clients.forget(id)
    },

    /** Workers silent for longer than the heartbeat timeout go offline (the local one is refreshed by ensureLocal). */
    async markSilentOffline (now = new Date()): Promise<string[]> {
      const fork = em()
      const cutoff = new Date(now.getTime() - options.heartbeatTimeoutMs)
      const silent = await fork.find(Worker, { state: { $ne: 'offline' }, lastHeartbeatAt: { $lt: cutoff } })
      for (const worker of silent) worker.state = 'offline'
      await fork.flush()
      return silent.map((worker) => worker.name)
    },

    /** Picks a worker for `reservation` with the configured strategy; throws NO_CAPACITY saying why none fits. */
    async place (reservation: Resources, allocations: Allocations): Promise<Worker> {
      const workers = await em().find(Worker, {})
      const candidates: Candidate[] = workers.map((worker) => ({
        id: worker.id,
        state: worker.endpoint === '' ? 'offline' : worker.state,
        labels: worker.labels,
        capacity: { memory: worker.capacityMemory, cpu: worker.capacityCpu },
        allocated: allocations.get(worker.id) ?? { memory: 0, cpu: 0 }
      }))
      const spreadCounts = new Map<string, number>()
      for (const worker of workers) {
        const value = worker.labels[options.spreadLabel]
        if (value !== undefined) spreadCounts.set(value, (spreadCounts.get(value) ?? 0) + (allocations.get(worker.id)?.tenants ?? 0))
      }
      const result = place(candidates, {
        reservation,
        strategy: options.strategy,
        spreadLabel: options.spreadLabel,
        spreadCounts,
        lastWorkerId: lastPlaced
      })
      if (!result.ok) throw new NoCapacity(`Cannot place the instance: ${result.reason}`)
      lastPlaced = result.workerId
      return workers.find((worker) => worker.id === result.workerId)!
    }
  }
}
