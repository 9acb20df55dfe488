// Drives Docker towards the database: per tenant, observe -> plan -> execute, one apply at a time
// (later requests coalesce into one more pass), failures retried with exponential backoff.
// Triggered by API calls, Docker events from every worker, and a periodic sweep that also removes
// orphans. Everything lives in the instance this factory returns.
import type { MikroORM } from '@mikro-orm/core'
import type Docker from 'dockerode'
import type { FastifyBaseLogger } from 'fastify'
import type { Worker } from '../scheduler/entities.js'
import type { Workers } from '../scheduler/workers.js'
import { containerSpec, LABEL_MANAGED, LABEL_TENANT, specHash, type TenantRef } from './container-spec.js'
import { Tenant } from './entities.js'
import type { TenantEvents } from './events.js'
import type { CompileCaches } from './compile-cache.js'
import { executors, INDEPENDENT_STEPS, type ExecutionContext } from './executors.js'
import { listContainers, observeTenant, upstreamOf, waitReady } from './observe.js'
import type { Plans } from './plans.js'
import type { TenantStats } from './stats.js'
import { observedStatus, planOrphans, planTenant, type DesiredTenant, type Step } from './planner.js'

export interface ReconcilerOptions {
  orm: MikroORM
  workers: Workers
  plans: Plans
  events: TenantEvents
  log: FastifyBaseLogger
  urlOf: (slug: string) => string
  sweepIntervalMs: number
  orphanGraceMs: number
  startTimeoutMs: number
  /** How long a worker gets to answer an observation before it counts as unreachable. */
  workerTimeoutMs: number
  /** This control plane's id (installation.ts), labelled on what it creates. */
  installation: string
  stats: TenantStats
  compileCaches: CompileCaches
}

const MAX_BACKOFF_MS = 60_000

/** Consecutive independent steps (network, volume, image) in one batch; every other step alone. */
function batches (steps: Step[]): Step[][] {
  const out: Step[][] = []
  for (const step of steps) {
    const last = out.at(-1)
    if (last !== undefined && INDEPENDENT_STEPS.has(step.kind) && INDEPENDENT_STEPS.has(last[0]!.kind)) last.push(step)
    else out.push([step])
  }
  return out
}

export type Reconciler = ReturnType<typeof createReconciler>

export function createReconciler (options: ReconcilerOptions) {
  const { orm, workers, plans, events, log, stats } = options
  const passes = new Map<string, { again: boolean, done: Promise<void> }>()
  const retries = new Map<string, { attempt: number, timer?: NodeJS.Timeout }>()
  const watches = new Map<string, { container: string, abort: AbortController }>()
  const ready = new Set<string>() // container ids that answered /readyz since they last started
  const restarts = new Set<string>()
  const eventStreams = new Map<string, NodeJS.ReadableStream | null>() // null: being opened
  let sweepTimer: NodeJS.Timeout | undefined
  let closed = false

  const refOf = (tenant: Tenant): TenantRef => ({ id: tenant.id, slug: tenant.slug, installation: options.installation })

  function desiredOf (tenant: Tenant): DesiredTenant {
    return {
      id: tenant.id,
      desired: tenant.desired,
      specHash: specHash(containerSpec(refOf(tenant), plans[tenant.plan])),
      volumeRemoveAt: tenant.volumeRemoveAt?.getTime() ?? null,
      restart: restarts.has(tenant.id)
    }
  }

  function scheduleRetry (tenantId: string): void {
    if (closed) return
    const retry = retries.get(tenantId) ?? { attempt: 0 }
    clearTimeout(retry.timer)
    const delay = Math.min(1000 * 2 ** retry.attempt, MAX_BACKOFF_MS)
    retry.attempt++
    retry.timer = setTimeout(() => { void reconcile(tenantId) }, delay)
    retry.timer.unref()
    retries.set(tenantId, retry)
  }

  function clearRetry (tenantId: string): void {
    clearTimeout(retries.get(tenantId)?.timer)
    retries.delete(tenantId)
  }

  function watchReady (tenant: Tenant, docker: Docker, container: string): void {
    const current = watches.get(tenant.id)
    // After close nothing new may start: a watch polls for minutes and would hold the process open.
    if (closed || current?.container === container || ready.has(container)) return
    current?.abort.abort()
    const abort = new AbortController()
    watches.set(tenant.id, { container, abort })
    void (async () => {
      try {
        const { upstream, id } = await upstreamOf(docker, tenant.id, container)
        await waitReady(upstream, options.startTimeoutMs, abort.signal)
        ready.add(id)
        events.emit(tenant.id, 'healthy')
        // The container answered from its address just now: that is what `running` means. Routable
        // at once; the full pass that follows confirms it (or corrects it, if it died meanwhile).
        await orm.em.fork().nativeUpdate(Tenant, { id: tenant.id }, { upstream, status: 'running', statusReason: null })
        abort.signal.throwIfAborted()
        events.emit(tenant.id, 'routable')
        void reconcile(tenant.id)
      } catch (err) {
        if (abort.signal.aborted) return
        events.emit(tenant.id, 'failed', (err as Error).message)
        await orm.em.fork().nativeUpdate(Tenant, { id: tenant.id }, { status: 'failed', statusReason: (err as Error).message }).catch(() => undefined)
      } finally {
        if (watches.get(tenant.id)?.abort === abort) watches.delete(tenant.id)
      }
    })()
  }

  async function applyOnce (tenantId: string): Promise<void> {
    if (closed) return
    const em = orm.em.fork()
    const tenant = await em.findOne(Tenant, { id: tenantId })
    if (tenant === null) return
    let worker: Worker
    try {
      worker = await workers.get(tenant.workerId)
    } catch {
      tenant.status = 'unreachable'
      tenant.statusReason = `worker ${tenant.workerId} was removed`
      await em.flush()
      return
    }
    const docker = workers.docker(worker)
    const desired = desiredOf(tenant)
    let actual
    try {
      actual = await observeTenant(docker, tenant.id, options.workerTimeoutMs)
    } catch (err) {
      // Never recreate elsewhere: the tenant's volume lives on that worker.
      const reason = (err as Error).message
      tenant.status = 'unreachable'
      tenant.statusReason = `worker ${worker.name} does not answer: ${reason}`
      tenant.upstream = null
      await em.flush()
      await workers.noteError(worker, reason)
      scheduleRetry(tenantId)
      return
    }
    await workers.noteError(worker, null)
    const context: ExecutionContext = {
      docker,
      tenant: { ...refOf(tenant), ownerEmail: tenant.ownerEmail },
      spec: containerSpec(refOf(tenant), plans[tenant.plan]),
      url: options.urlOf(tenant.slug),
      events,
      watchReady: (container) => { watchReady(tenant, docker, container) },
      ensureCompileCache: async (image) => { await options.compileCaches.ensure(docker, worker.id, image) }
    }
    const execute = async (step: Step): Promise<void> => {
      if (step.kind === 'startContainer' || step.kind === 'restartContainer' || step.kind === 'removeContainer' || step.kind === 'stopContainer') {
        for (const container of actual.containers) ready.delete(container.id)
        watches.get(tenant.id)?.abort.abort()
      }
      stats.reconcileSteps[step.kind] = (stats.reconcileSteps[step.kind] ?? 0) + 1
      try {
        await (executors[step.kind] as (context: ExecutionContext, step: unknown) => Promise<void>)(context, step)
      } catch (err) {
        throw Object.assign(new Error(`${step.kind} failed: ${(err as Error).message}`, { cause: err }), { step: step.kind })
      }
      if (step.kind === 'removeVolume') tenant.volumeRemoveAt = null
    }
    for (const batch of batches(planTenant(desired, actual, Date.now()))) {
      // Every step of a batch runs to its end before a failure is reported: none is left running.
      const failure = (await Promise.allSettled(batch.map(execute))).find((result) => result.status === 'rejected')
      if (failure !== undefined) {
        const err = failure.reason as Error & { step: Step['kind'] }
        stats.reconcileFailures[err.step] = (stats.reconcileFailures[err.step] ?? 0) + 1
        const reason = err.message
        log.warn({ tenant: tenant.id, step: err.step, err: err.cause }, 'reconcile step failed')
        tenant.status = 'failed'
        tenant.statusReason = reason
        events.emit(tenant.id, 'failed', reason)
        await em.flush()
        scheduleRetry(tenantId)
        return
      }
    }
    clearRetry(tenantId)
    restarts.delete(tenantId)
    const after = await observeTenant(docker, tenant.id, options.workerTimeoutMs)
    const keeper = after.containers.find((container) => container.state === 'running' && ready.has(container.id))
    const seen = observedStatus(desired, after, keeper !== undefined)
    if (seen.status === 'deleted' && tenant.status !== 'deleted') events.emit(tenant.id, 'deleted')
    // A readiness failure stays visible until the container changes; `starting` would hide it.
    if (!(tenant.status === 'failed' && seen.status === 'starting' && !watches.has(tenant.id))) {
      tenant.status = seen.status
      tenant.statusReason = seen.reason
    }
    if (seen.status !== 'running') tenant.upstream = null
    await em.flush()
  }

  /** Converges one tenant; concurrent calls share the running pass plus at most one more. */
  function reconcile (tenantId: string): Promise<void> {
    const running = passes.get(tenantId)
    if (running !== undefined) { running.again = true; return running.done }
    const pass = { again: false, done: Promise.resolve() }
    pass.done = (async () => {
      try {
        do {
          pass.again = false
          await applyOnce(tenantId).catch((err: unknown) => { log.error({ err, tenant: tenantId }, 'reconcile failed'); scheduleRetry(tenantId) })
        } while (pass.again && !closed)
      } finally {
        passes.delete(tenantId)
      }
    })()
    passes.set(tenantId, pass)
    return pass.done
  }

  function followEvents (worker: Worker, docker: Docker): void {
    // Held from the call on: a worker that hangs must not collect one pending request per sweep.
    if (eventStreams.has(worker.id)) return
    eventStreams.set(worker.id, null)
    const drop = (): void => { eventStreams.delete(worker.id) }
    // The deadline covers the answer only; the stream itself may then stay quiet for hours.
    const opening = new AbortController()
    const deadline = setTimeout(() => { opening.abort() }, options.workerTimeoutMs)
    docker.getEvents({ filters: { type: ['container'], label: [`${LABEL_MANAGED}=true`] }, abortSignal: opening.signal }).then((stream) => {
      clearTimeout(deadline)
      if (closed) { (stream as unknown as { destroy: () => void }).destroy(); return }
      eventStreams.set(worker.id, stream)
      let buffered = ''
      stream.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8')
        const lines = buffered.split('\n')
        buffered = lines.pop() ?? ''
        for (const line of lines) {
          if (line.trim() === '') continue
          const event = JSON.parse(line) as { Actor?: { Attributes?: Record<string, string> } }
          const tenantId = event.Actor?.Attributes?.[LABEL_TENANT]
          if (tenantId !== undefined) void knownTenant(tenantId).then((known) => { if (known) void reconcile(tenantId) })
        }
      })
      stream.on('end', drop)
      stream.on('error', drop)
    }, (err: unknown) => { clearTimeout(deadline); drop(); log.debug({ err, worker: worker.name }, 'cannot follow Docker events') })
  }

  async function knownTenant (tenantId: string): Promise<boolean> {
    return await orm.em.fork().count(Tenant, { id: tenantId }) > 0
  }

  /** One full pass: every tenant on every worker, plus orphan removal. */
  async function sweep (): Promise<void> {
    const em = orm.em.fork()
    const tenants = await em.find(Tenant, { $or: [{ status: { $ne: 'deleted' } }, { volumeRemoveAt: { $ne: null } }] })
    const known = new Set((await em.find(Tenant, {}, { fields: ['id'] })).map((tenant) => tenant.id))
    // Workers side by side: one that hangs costs the sweep its deadline, not the others' healing.
    const removeOrphans = async (worker: Worker): Promise<void> => {
      const docker = workers.docker(worker)
      followEvents(worker, docker)
      try {
        for (const step of planOrphans(known, await listContainers(docker, undefined, options.workerTimeoutMs), Date.now(), options.orphanGraceMs, options.installation)) {
          log.info({ worker: worker.name, container: step.container }, step.why)
          await executors.removeContainer({ docker } as ExecutionContext, step)
        }
      } catch (err) {
        log.warn({ err, worker: worker.name }, 'orphan check failed')
      }
    }
    await Promise.all([
      ...(await workers.list()).filter((worker) => worker.endpoint !== '').map(removeOrphans),
      ...tenants.map((tenant) => reconcile(tenant.id))
    ])
  }

  return {
    reconcile,
    async restart (tenantId: string): Promise<void> {
      restarts.add(tenantId)
      await reconcile(tenantId)
    },
    sweep,
    start (): void {
      const loop = (): void => {
        sweepTimer = setTimeout(() => {
          sweep().catch((err: unknown) => { log.error({ err }, 'sweep failed') }).finally(() => { if (!closed) loop() })
        }, options.sweepIntervalMs)
        sweepTimer.unref()
      }
      void sweep().catch((err: unknown) => { log.error({ err }, 'sweep failed') })
      loop()
    },
    async close (): Promise<void> {
      closed = true
      clearTimeout(sweepTimer)
      for (const retry of retries.values()) clearTimeout(retry.timer)
      for (const watch of watches.values()) watch.abort.abort()
      for (const stream of eventStreams.values()) (stream as unknown as { destroy: () => void } | null)?.destroy()
      await Promise.all([...passes.values()].map((pass) => pass.done))
    }
  }
}
