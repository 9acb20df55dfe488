// The scheduler's table: workers (Docker hosts) that run tenant containers.
import { BigIntType, EntitySchema } from '@mikro-orm/core'

/** `active` takes new tenants; `draining` keeps its tenants but gets no new ones; `offline` missed its heartbeats. */
export const WORKER_STATES = ['active', 'draining', 'offline'] as const
export type WorkerState = typeof WORKER_STATES[number]

export interface WorkerTls { ca: string, cert: string, key: string }

/** A Docker endpoint or TLS material reached directly, or a Portainer environment (plugins/portainer). */
export type WorkerKind = 'docker' | 'portainer'

/** Live figures a worker agent sends with its heartbeat (plugins/scheduler/agent.ts). */
export interface WorkerStats {
  /** Bytes of memory in use on the host, and its total. */
  memoryUsed: number
  memoryTotal: number
  cpus: number
  /** One-minute load average divided by the CPU count: 1 means every core is busy. */
  cpuLoad: number
  containers: number
  containersRunning: number
  at: string
}

export class Worker {
  id!: string
  name!: string
  kind: WorkerKind = 'docker'
  /** `unix:///var/run/docker.sock` or `tcp://host:2376` (TLS when `tls` is set); a Portainer environment's Docker URL. Empty until it registers. */
  endpoint = ''
  tls?: WorkerTls | null
  labels: Record<string, string> = {}
  /** Bytes of memory and CPUs (fractional) this worker offers to tenants. */
  capacityMemory = 0
  capacityCpu = 0
  state: WorkerState = 'active'
  /** sha256 of the worker key; null for the built-in `local` worker, which never authenticates. */
  keyHash?: string | null
  lastHeartbeatAt?: Date | null
  /** The latest stats its agent reported. */
  stats?: WorkerStats | null
  /** Why the worker last failed to answer (shown to admins); null once it answers again. */
  lastError?: string | null
  createdAt: Date = new Date()
}

export const WorkerSchema = new EntitySchema<Worker>({
  class: Worker,
  tableName: 'workers',
  properties: {
    id: { type: 'string', primary: true, length: 64 },
    name: { type: 'string', length: 64, unique: true },
    kind: { type: 'string', length: 16 },
    endpoint: { type: 'string', length: 512 },
    tls: { type: 'json', nullable: true },
    labels: { type: 'json' },
    capacityMemory: { type: new BigIntType('number') },
    capacityCpu: { type: 'double' },
    state: { type: 'string', length: 16 },
    keyHash: { type: 'string', length: 64, nullable: true, unique: true },
    lastHeartbeatAt: { type: 'datetime', nullable: true },
    stats: { type: 'json', nullable: true },
    lastError: { type: 'text', nullable: true },
    createdAt: { type: 'datetime' }
  }
})

export const schedulerEntities = [WorkerSchema]
