// Telemetry ingest: each accepted `devices/{id}/telemetry` message becomes the box's latest sample
// and a row of the time series. Writes are batched (multi-row inserts per flush, not one per
// message) so a fleet's telemetry costs the database a few statements a second; samples older than
// the retention are pruned hourly. The inserts go through the query builder, not upsertMany: the
// entity bookkeeping of upsertMany cost ~0.3 ms a row, more than the database itself.
import type { MikroORM } from '@mikro-orm/core'
import type { SqlEntityManager } from '@mikro-orm/knex'
import type { FastifyBaseLogger } from 'fastify'
import type { Telemetry } from '../../protocol/payloads.js'
import { LatestTelemetry, TelemetrySample } from './entities.js'

export interface TelemetryOptions {
  orm: MikroORM
  log: FastifyBaseLogger
  retentionDays: number
  flushIntervalMs?: number
  pruneIntervalMs?: number
  now?: () => Date
}

export interface TelemetryStore {
  ingest: (deviceId: string, telemetry: Telemetry) => void
  /** Writes what has been ingested so far. */
  flush: () => Promise<void>
  /** Deletes samples older than the retention; resolves to how many. */
  prune: () => Promise<number>
  latest: (deviceId: string) => Promise<LatestTelemetry | null>
  close: () => Promise<void>
}

const DAY_MS = 86_400_000
// Bounds the buffer if the database stalls: beyond this, the oldest unwritten samples are dropped.
const MAX_BUFFERED = 100_000
// Rows per INSERT: 12 columns x 500 stays well under SQLite's bound-parameter limit.
const ROWS_PER_STATEMENT = 500

function chunks<T> (rows: T[]): T[][] {
  return Array.from({ length: Math.ceil(rows.length / ROWS_PER_STATEMENT) }, (_, i) => rows.slice(i * ROWS_PER_STATEMENT, (i + 1) * ROWS_PER_STATEMENT))
}

function toSample (deviceId: string, t: Telemetry): TelemetrySample {
  return {
    deviceId,
    ts: new Date(t.ts),
    cpuPercent: t.cpu.percent,
    memoryUsedBytes: t.memory.usedBytes,
    memoryTotalBytes: t.memory.totalBytes,
    diskUsedBytes: t.disk.usedBytes,
    diskTotalBytes: t.disk.totalBytes,
    temperatureC: t.temperatureC ?? null,
    gatewayStatus: t.gateway.status,
    gatewayRestarts: t.gateway.restarts,
    rxBytes: t.network?.rxBytes ?? null,
    txBytes: t.network?.txBytes ?? null
  }
}

export function createTelemetryStore (options: TelemetryOptions): TelemetryStore {
  const now = options.now ?? (() => new Date())
  let samples: Array<TelemetrySample> = []
  let latest = new Map<string, LatestTelemetry>()
  let flushing: Promise<void> = Promise.resolve()

  async function write (): Promise<void> {
    if (samples.length === 0) return
    const batch = samples
    const newest = [...latest.values()]
    samples = []
    latest = new Map()
    const em = options.orm.em.fork() as SqlEntityManager
    await em.transactional(async (tx) => {
      for (const rows of chunks(batch)) await tx.createQueryBuilder(TelemetrySample).insert(rows).onConflict(['deviceId', 'ts']).ignore().execute()
      for (const rows of chunks(newest)) await tx.createQueryBuilder(LatestTelemetry).insert(rows).onConflict('deviceId').merge().execute()
    })
  }

  const flush = (): Promise<void> => {
    flushing = flushing.then(write).catch((err: unknown) => { options.log.error({ err }, 'telemetry write failed') })
    return flushing
  }

  const prune = async (): Promise<number> => {
    const cutoff = new Date(now().getTime() - options.retentionDays * DAY_MS)
    return await options.orm.em.fork().nativeDelete(TelemetrySample, { ts: { $lt: cutoff } })
  }

  const flushTimer = setInterval(() => { void flush() }, options.flushIntervalMs ?? 1000).unref()
  const pruneTimer = setInterval(() => {
    prune().catch((err: unknown) => { options.log.error({ err }, 'telemetry pruning failed') })
  }, options.pruneIntervalMs ?? 3_600_000).unref()

  return {
    ingest (deviceId, telemetry) {
      if (samples.length >= MAX_BUFFERED) samples.shift()
      samples.push(toSample(deviceId, telemetry))
      latest.set(deviceId, { deviceId, ts: new Date(telemetry.ts), receivedAt: now(), data: telemetry })
    },
    flush,
    prune,
    latest: (deviceId) => options.orm.em.fork().findOne(LatestTelemetry, { deviceId }),
    async close () {
      clearInterval(flushTimer)
      clearInterval(pruneTimer)
      await flush()
    }
  }
}
