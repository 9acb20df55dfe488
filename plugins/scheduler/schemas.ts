// Request and response schemas of the scheduler's routes.
import Type, { type Static } from 'typebox'
import type { Worker } from './entities.js'

const Labels = Type.Record(Type.String({ pattern: '^[a-z0-9][a-z0-9._/-]{0,62}$' }), Type.String({ maxLength: 128 }))
const Capacity = Type.Object({
  memory: Type.Integer({ minimum: 0, description: 'Bytes of memory offered to tenants' }),
  cpu: Type.Number({ minimum: 0, description: 'CPUs offered to tenants' })
})

const WorkerStats = Type.Object({
  memoryUsed: Type.Integer({ minimum: 0, description: 'Bytes of memory in use on the host' }),
  memoryTotal: Type.Integer({ minimum: 0 }),
  cpus: Type.Integer({ minimum: 0 }),
  cpuLoad: Type.Number({ minimum: 0, description: 'One-minute load average per CPU' }),
  containers: Type.Integer({ minimum: 0 }),
  containersRunning: Type.Integer({ minimum: 0 }),
  at: Type.String({ description: 'When the agent measured them' })
}, { additionalProperties: false })

export const WorkerView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  endpoint: Type.String(),
  labels: Labels,
  capacity: Capacity,
  state: Type.Union([Type.Literal('active'), Type.Literal('draining'), Type.Literal('offline')]),
  lastHeartbeatAt: Type.Union([Type.String(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()], { description: 'Why the worker last failed to answer; null while it answers' }),
  stats: Type.Union([WorkerStats, Type.Null()], { description: 'What its agent reported with the latest heartbeat' }),
  createdAt: Type.String()
})

export function viewWorker (worker: Worker): Static<typeof WorkerView> {
  return {
    id: worker.id,
    name: worker.name,
    kind: worker.kind,
    endpoint: worker.endpoint,
    labels: worker.labels,
    capacity: { memory: worker.capacityMemory, cpu: worker.capacityCpu },
    state: worker.state,
    lastHeartbeatAt: worker.lastHeartbeatAt?.toISOString() ?? null,
    lastError: worker.lastError ?? null,
    stats: worker.stats ?? null,
    createdAt: worker.createdAt.toISOString()
  }
}

export const NewWorkerBody = Type.Object({
  name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'Unique, lowercase' }),
  labels: Type.Optional(Labels)
}, { additionalProperties: false })

export const NewWorkerAnswer = Type.Object({
  worker: WorkerView,
  key: Type.String({ description: 'The worker key; shown once, only its hash is stored' })
})

export const RegisterBody = Type.Object({
  endpoint: Type.String({ description: 'unix:///var/run/docker.sock or tcp://host:2376' }),
  tls: Type.Optional(Type.Object({ ca: Type.String(), cert: Type.String(), key: Type.String() })),
  labels: Type.Optional(Labels),
  capacity: Capacity
}, { additionalProperties: false })

export const HeartbeatBody = Type.Object({
  capacity: Type.Optional(Capacity),
  stats: Type.Optional(Type.Omit(WorkerStats, ['at']))
}, { additionalProperties: false })

export const WorkerIdParams = Type.Object({ id: Type.String() })
