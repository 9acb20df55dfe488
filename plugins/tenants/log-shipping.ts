// Instances' container output to Loki (when LOKI_URL is set): each running instance's container is
// followed through the Docker API of its worker, its lines are batched and pushed to Loki's push API
// labelled `{app="openclaw-tenant", env, tenant=<slug>}` — one stream per instance, so the slug as a
// label is bounded by the number of instances. Memory is bounded: at most MAX_PENDING_LINES lines of
// MAX_LINE_BYTES each wait per instance; when Loki is slow or down the oldest are dropped (and
// counted). A follow ends by itself when the container stops; a later scan or a `routable` event
// starts it again from the last line shipped, so nothing is shipped twice by this node.
import type { MikroORM } from '@mikro-orm/core'
import type Docker from 'dockerode'
import type { FastifyBaseLogger } from 'fastify'
import { PassThrough } from 'node:stream'
import { createInterface } from 'node:readline'
import type { LokiEndpoint } from '../../server/logger.js'
import type { Workers } from '../scheduler/workers.js'
import { containerName } from './container-spec.js'
import { Tenant } from './entities.js'
import type { TenantEvents } from './events.js'

export const TENANT_LOG_APP_LABEL = 'openclaw-tenant'
const MAX_PENDING_LINES = 1000
const MAX_LINE_BYTES = 16 * 1024
/** Lines per push; Loki's default limit for a push body is several MB, this stays well under. */
const MAX_BATCH_LINES = 2000

export interface LogShippingOptions {
  orm: MikroORM
  workers: Pick<Workers, 'get' | 'docker'>
  events: TenantEvents
  loki: LokiEndpoint
  environment: string
  log: FastifyBaseLogger
  /** How often waiting lines are pushed. */
  flushIntervalMs?: number
  /** How often running instances are looked for (events start a follow sooner on this node). */
  scanIntervalMs?: number
}

export interface LogShipping {
  /** Slugs of the instances whose output is followed now. */
  following: () => string[]
  /** Lines dropped because Loki could not take them fast enough. */
  dropped: () => number
  start: () => void
  /** Stops following and pushes what is waiting. */
  close: () => Promise<void>
}

interface Follower {
  slug: string
  /** starting: asking Docker; following: lines arrive; ended: the container stopped (or we stopped following). */
  state: 'starting' | 'following' | 'ended'
  stop?: () => void
  /** Lines waiting for a push: [nanoseconds since the epoch, line]. */
  pending: Array<[string, string]>
}

/** Docker's `timestamps` prefix (RFC 3339, nanoseconds) to Loki's nanosecond string. */
export function dockerTimestampToNs (stamp: string): string | null {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(stamp)
  if (match === null) return null
  const seconds = Date.parse(`${match[1]!}Z`) / 1000
  if (Number.isNaN(seconds)) return null
  return (BigInt(seconds) * 1_000_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'))).toString()
}

export function createLogShipping (options: LogShippingOptions): LogShipping {
  const { orm, workers, events, loki, environment, log } = options
  const followers = new Map<string, Follower>()
  /** Per instance, the timestamp of the last line taken, so a new follow starts after it. */
  const lastNs = new Map<string, string>()
  let dropped = 0
  let pushing: Promise<void> | undefined
  let closed = false
  let failing = false
  const timers: NodeJS.Timeout[] = []
  const authorization = loki.basicAuth === undefined ? undefined : `Basic ${Buffer.from(`${loki.basicAuth.username}:${loki.basicAuth.password}`).toString('base64')}`

  function take (tenantId: string, follower: Follower, raw: string): void {
    const space = raw.indexOf(' ')
    const ns = dockerTimestampToNs(raw.slice(0, space))
    if (ns === null) return
    const previous = lastNs.get(tenantId)
    if (previous !== undefined && BigInt(ns) <= BigInt(previous)) return
    lastNs.set(tenantId, ns)
    let line = raw.slice(space + 1)
    if (Buffer.byteLength(line) > MAX_LINE_BYTES) line = `${Buffer.from(line).subarray(0, MAX_LINE_BYTES).toString('utf8')}…`
    follower.pending.push([ns, line])
    if (follower.pending.length > MAX_PENDING_LINES) {
      follower.pending.shift()
      dropped++
    }
  }

  async function follow (tenantId: string, follower: Follower, docker: Docker): Promise<void> {
    const previous = lastNs.get(tenantId)
    // Docker's `since` takes seconds with a fraction; lines at that very instant are filtered by take().
    const since = previous === undefined ? 0 : `${previous.slice(0, -9)}.${previous.slice(-9)}`
    const raw = await docker.getContainer(containerName(tenantId)).logs({ follow: true, stdout: true, stderr: true, timestamps: true, since })
    const lines = new PassThrough()
    // Docker multiplexes stdout and stderr in 8-byte-framed chunks when there is no TTY.
    docker.modem.demuxStream(raw, lines, lines)
    const reader = createInterface({ input: lines, crlfDelay: Infinity })
    reader.on('line', (line) => { take(tenantId, follower, line) })
    // Ended once the last line was read; what waits is still pushed.
    reader.once('close', () => { follower.state = 'ended' })
    follower.state = 'following'
    follower.stop = () => { (raw as NodeJS.ReadableStream & { destroy: () => void }).destroy() }
    // The container stopped (Docker ends the stream), or we stopped following.
    const ended = (): void => { lines.end() }
    raw.once('end', ended)
    raw.once('close', ended)
    raw.once('error', ended)
    if (closed) follower.stop()
  }

  function ensureFollowing (tenantId: string, slug: string, workerId: string): void {
    const existing = followers.get(tenantId)
    if (closed || (existing !== undefined && existing.state !== 'ended')) return
    const follower: Follower = { slug, state: 'starting', pending: existing?.pending ?? [] }
    followers.set(tenantId, follower)
    workers.get(workerId)
      .then(async (worker) => { await follow(tenantId, follower, workers.docker(worker)) })
      .catch((err: Error) => {
        follower.state = 'ended'
        log.debug({ tenant: tenantId, err: err.message }, 'cannot follow instance output')
      })
  }

  async function scan (): Promise<void> {
    const running = await orm.em.fork().find(Tenant, { status: 'running', desired: 'running' }, { fields: ['id', 'slug', 'workerId'] })
    for (const tenant of running) ensureFollowing(tenant.id, tenant.slug, tenant.workerId)
  }

  const scanSoon = (): void => { scan().catch((err: Error) => { log.warn({ err: err.message }, 'tenant log shipping: scan failed') }) }

  async function push (): Promise<void> {
    const taken: Array<{ follower: Follower, values: Array<[string, string]> }> = []
    let budget = MAX_BATCH_LINES
    for (const follower of followers.values()) {
      if (follower.pending.length === 0 || budget === 0) continue
      const values = follower.pending.splice(0, budget)
      budget -= values.length
      taken.push({ follower, values })
    }
    if (taken.length > 0) {
      try {
        const streams = taken.map(({ follower, values }) => ({ stream: { app: TENANT_LOG_APP_LABEL, env: environment, tenant: follower.slug }, values }))
        const response = await fetch(loki.pushUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) },
          body: JSON.stringify({ streams }),
          signal: AbortSignal.timeout(10_000)
        })
        if (!response.ok) throw new Error(`Loki answered ${response.status}: ${(await response.text()).slice(0, 200)}`)
        if (failing) log.info('tenant log shipping: Loki takes lines again')
        failing = false
      } catch (err) {
        if (!failing) log.warn({ err: (err as Error).message }, 'tenant log shipping: push to Loki failed; lines wait (bounded) and are retried')
        failing = true
        // Back in front, within the bound; the oldest beyond it are dropped.
        for (const { follower, values } of taken) {
          follower.pending.unshift(...values)
          const excess = follower.pending.length - MAX_PENDING_LINES
          if (excess > 0) { follower.pending.splice(0, excess); dropped += excess }
        }
      }
    }
    for (const [tenantId, follower] of followers) if (follower.state === 'ended' && follower.pending.length === 0) followers.delete(tenantId)
  }

  const flush = async (): Promise<void> => {
    pushing ??= push().finally(() => { pushing = undefined })
    await pushing
  }

  const unsubscribe = events.subscribeAll((tenantId, event) => {
    if (event.type === 'routable') scanSoon()
    if (event.type === 'deleted') lastNs.delete(tenantId)
  })

  return {
    following: () => [...followers.values()].filter((follower) => follower.state === 'following').map((follower) => follower.slug),
    dropped: () => dropped,
    start () {
      scanSoon()
      timers.push(setInterval(() => { void flush() }, options.flushIntervalMs ?? 1000).unref())
      timers.push(setInterval(scanSoon, options.scanIntervalMs ?? 15_000).unref())
    },
    async close () {
      closed = true
      unsubscribe()
      for (const timer of timers) clearInterval(timer)
      for (const follower of followers.values()) follower.stop?.()
      await pushing
      await flush()
    }
  }
}
