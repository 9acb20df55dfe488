// Metrics of the other plugins, read from what they decorate on Fastify when Prometheus scrapes:
// the plugins keep plain counters and state, and know nothing of Prometheus. A plugin that is not
// enabled simply contributes no series.
import type { FastifyInstance } from 'fastify'
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import { WORKER_STATES } from '../scheduler/entities.js'
import '../devices/types.js'
import '../scheduler/types.js'
import '../tenants/types.js'

/** Subscribes to a plugin's events once every plugin is loaded; returns the unsubscribe function. */
export type Attach = () => () => void

/**
 * Shares one read among all the gauges of a scrape (they collect concurrently), so a scrape costs
 * one round of queries, not one per gauge.
 */
function perScrape<T> (read: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined
  return () => (pending ??= read().finally(() => { setImmediate(() => { pending = undefined }) }))
}

export function collectDevices (app: FastifyInstance, registry: Registry): Attach {
  const registers = [registry]
  const has = (): boolean => app.hasDecorator('devices')
  const counts = perScrape(() => app.devices.count())
  new Gauge({
    name: 'openclaw_cloud_devices',
    help: 'Registered boxes by lifecycle state (registered, online, claimed, revoked); the same on every server node.',
    labelNames: ['state'],
    registers,
    async collect () {
      this.reset()
      if (!has()) return
      for (const [state, count] of Object.entries((await counts()).byState)) this.set({ state }, count)
    }
  })
  new Gauge({
    name: 'openclaw_cloud_devices_connected',
    help: 'Boxes connected to the MQTT broker of any server node, as the registry records them.',
    registers,
    async collect () { if (has()) this.set((await counts()).connected) }
  })
  new Gauge({
    name: 'openclaw_cloud_mqtt_connections',
    help: 'Live MQTT sessions on this server node.',
    registers,
    collect () { if (has()) this.set(brokerConnections(app)) }
  })
  const stats = (): FastifyInstance['devices']['stats'] | undefined => has() ? app.devices.stats : undefined
  new Counter({
    name: 'openclaw_cloud_mqtt_messages_received_total',
    help: 'Messages from boxes that passed the ACL and payload checks (telemetry, state, command results).',
    registers,
    collect () { this.reset(); this.inc(stats()?.messagesAccepted ?? 0) }
  })
  new Counter({
    name: 'openclaw_cloud_mqtt_messages_sent_total',
    help: 'Commands the server wrote to boxes\' MQTT sessions.',
    registers,
    collect () { this.reset(); this.inc(stats()?.messagesSent ?? 0) }
  })
  new Counter({
    name: 'openclaw_cloud_mqtt_rejected_total',
    help: 'What the broker refused: connections failing device-JWT auth (auth), publishes and subscriptions outside the box\'s ACL (publish_acl, subscribe_acl), boxes disconnected for their publish rate (rate_limit).',
    labelNames: ['reason'],
    registers,
    collect () {
      this.reset()
      const counts = stats()
      this.inc({ reason: 'auth' }, counts?.connectionsRefused ?? 0)
      this.inc({ reason: 'publish_acl' }, counts?.publishesRefused ?? 0)
      this.inc({ reason: 'subscribe_acl' }, counts?.subscriptionsRefused ?? 0)
      this.inc({ reason: 'rate_limit' }, counts?.rateLimitedDisconnects ?? 0)
    }
  })
  new Counter({
    name: 'openclaw_cloud_mqtt_payloads_dropped_total',
    help: 'Box messages dropped for an invalid or oversized payload (the box stays connected).',
    registers,
    collect () { this.reset(); this.inc(stats()?.payloadsDropped ?? 0) }
  })
  const roundTrip = new Histogram({
    name: 'openclaw_cloud_device_command_round_trip_seconds',
    help: 'Time from writing a command to a box\'s session to its result arriving, by result status.',
    labelNames: ['status'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers
  })
  const observe = ({ status, roundTripSeconds }: { status: string, roundTripSeconds: number }): void => { roundTrip.observe({ status }, roundTripSeconds) }
  return () => {
    if (!has()) return () => undefined
    const { events } = app.devices.stats
    events.on('commandCompleted', observe)
    return () => { events.off('commandCompleted', observe) }
  }
}

/** The broker starts when the app is ready; before that there are no connections. */
function brokerConnections (app: FastifyInstance): number {
  try {
    return app.devices.broker.connections
  } catch {
    return 0
  }
}

export function collectTenants (app: FastifyInstance, registry: Registry): Attach {
  const registers = [registry]
  const has = (): boolean => app.hasDecorator('tenants')
  new Gauge({
    name: 'openclaw_cloud_tenants',
    help: 'Instances by the status the reconciler last observed (scheduled, creating, starting, running, stopped, failed, unreachable, deleting, deleted).',
    labelNames: ['status'],
    registers,
    async collect () {
      this.reset()
      if (!has()) return
      for (const [status, count] of Object.entries(await app.tenants.countByStatus())) this.set({ status }, count)
    }
  })
  new Counter({
    name: 'openclaw_cloud_reconcile_steps_total',
    help: 'Reconcile steps run against workers, by step kind (createContainer, startContainer, ...).',
    labelNames: ['step'],
    registers,
    collect () {
      this.reset()
      if (has()) for (const [step, count] of Object.entries(app.tenants.stats.reconcileSteps)) this.inc({ step }, count)
    }
  })
  new Counter({
    name: 'openclaw_cloud_reconcile_step_failures_total',
    help: 'Reconcile steps that failed (retried with backoff), by step kind.',
    labelNames: ['step'],
    registers,
    collect () {
      this.reset()
      if (has()) for (const [step, count] of Object.entries(app.tenants.stats.reconcileFailures)) this.inc({ step }, count)
    }
  })
  const spawn = new Histogram({
    name: 'openclaw_cloud_tenant_spawn_duration_seconds',
    help: 'Time from creating or starting an instance to it being routable (its gateway answered /readyz).',
    buckets: [1, 2.5, 5, 10, 20, 30, 60, 120, 180, 300],
    registers
  })
  const observe = (seconds: number): void => { spawn.observe(seconds) }
  return () => {
    if (!has()) return () => undefined
    const { events } = app.tenants.stats
    events.on('spawned', observe)
    return () => { events.off('spawned', observe) }
  }
}

export function collectWorkers (app: FastifyInstance, registry: Registry): void {
  const registers = [registry]
  const view = perScrape(() => readWorkers(app))
  const perWorker = (name: string, help: string, pick: (worker: WorkerView) => number): void => {
    new Gauge({
      name, help, labelNames: ['worker'], registers,
      async collect () {
        this.reset()
        if (!app.hasDecorator('workers')) return
        for (const worker of await view()) this.set({ worker: worker.name }, pick(worker))
      }
    })
  }
  new Gauge({
    name: 'openclaw_cloud_workers',
    help: 'Workers (Docker hosts) by state: active, draining, offline.',
    labelNames: ['state'],
    registers,
    async collect () {
      this.reset()
      if (!app.hasDecorator('workers')) return
      const workers = await view()
      for (const state of WORKER_STATES) this.set({ state }, workers.filter((worker) => worker.state === state).length)
    }
  })
  perWorker('openclaw_cloud_worker_capacity_memory_bytes', 'Memory a worker offers to instances.', (worker) => worker.capacityMemory)
  perWorker('openclaw_cloud_worker_capacity_cpus', 'CPUs a worker offers to instances (after WORKER_CPU_OVERCOMMIT for the local worker).', (worker) => worker.capacityCpu)
  perWorker('openclaw_cloud_worker_reserved_memory_bytes', 'Memory reserved on a worker by the plans of its instances.', (worker) => worker.reserved.memory)
  perWorker('openclaw_cloud_worker_reserved_cpus', 'CPUs reserved on a worker by the plans of its instances.', (worker) => worker.reserved.cpu)
  perWorker('openclaw_cloud_worker_instances', 'Instances placed on a worker (not deleted).', (worker) => worker.reserved.tenants)
}

interface WorkerView {
  name: string
  state: string
  capacityMemory: number
  capacityCpu: number
  reserved: { memory: number, cpu: number, tenants: number }
}

async function readWorkers (app: FastifyInstance): Promise<WorkerView[]> {
  const [workers, allocations] = await Promise.all([app.workers.list(), app.hasDecorator('tenants') ? app.tenants.allocations() : new Map()])
  return workers.map((worker) => ({
    name: worker.name,
    state: worker.state,
    capacityMemory: worker.capacityMemory,
    capacityCpu: worker.capacityCpu,
    reserved: allocations.get(worker.id) ?? { memory: 0, cpu: 0, tenants: 0 }
  }))
}
