// Telemetry ingest: each accepted `devices/{id}/telemetry` message becomes the box's latest sample
// and a row of the time series. Writes are batched (multi-row inserts per flush, not one per
// message) so a fleet's telemetry costs the database a few statements a second; samples older than
// the retention are pruned hourly.
//
// Each statement of a flush has one parameter: up to ROWS_PER_STATEMENT rows as a JSON array that
// the database expands itself (SQLite `json_each`, PostgreSQL `jsonb_array_elements`). Built
// through the query builder, 10,000 rows cost ~50 µs each in entity-to-column mapping, query
// building and SQLite parsing a statement of 6,000 placeholders per 500 rows, all of it blocking
// the event loop (libsql is synchronous); upsertMany cost more still (~0.3 ms a row).
import type { MikroORM } from '@mikro-orm/core'
import type { SqlEntityManager } from '@mikro-orm/knex'
import type { FastifyBaseLogger } from 'fastify'
import { setImmediate } from 'node:timers/promises'
import type { Telemetry } from '../../protocol/payloads.js'
import type { Dialect } from '../../server/db.js'
import { LatestTelemetry, TelemetrySample } from './entities.js'

export interface TelemetryOptions {
  orm: MikroORM
  dialect: Dialect
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
// Rows per statement. SQLite runs on the event loop (libsql is synchronous): a large fleet's second
// of telemetry is written in slices with a turn of the event loop between them, so the broker keeps
// answering boxes instead of stopping for one ~150 ms statement.
const ROWS_PER_STATEMENT = 1000

/** A TelemetrySample as the JSON the insert expands: device id, then the columns in SAMPLE_COLUMNS' order; times in ms. */
type SampleRow = [string, number, number, number, number, number, number, number | null, string, number, number | null, number | null]
/** device id, sample time, received time (ms), the message (as JSON text: SQLite stores text as it is, but would render an object again). */
type LatestRow = [string, number, number, string]

function toRow (deviceId: string, t: Telemetry): SampleRow {
  return [deviceId, t.ts, t.cpu.percent, t.memory.usedBytes, t.memory.totalBytes, t.disk.usedBytes, t.disk.totalBytes,
    t.temperatureC ?? null, t.gateway.status, t.gateway.restarts, t.network?.rxBytes ?? null, t.network?.txBytes ?? null]
}

const SAMPLE_COLUMNS = 'device_id, ts, cpu_percent, memory_used_bytes, memory_total_bytes, disk_used_bytes, disk_total_bytes, temperature_c, gateway_status, gateway_restarts, rx_bytes, tx_bytes'
const LATEST_COLUMNS = 'device_id, ts, received_at, data'
// A sample already stored (a QoS 1 redelivery) is kept as it is; the latest sample is replaced.
const ON_SAMPLE_CONFLICT = 'on conflict (device_id, ts) do nothing'
const ON_LATEST_CONFLICT = 'on conflict (device_id) do update set ts = excluded.ts, received_at = excluded.received_at, data = excluded.data'

// SQLite stores datetime columns as ms since the epoch; `where true` lets the parser read the upsert clause after a SELECT.
const SQLITE_INSERTS = {
  samples: `insert into device_telemetry (${SAMPLE_COLUMNS}) select ${Array.from({ length: 12 }, (_, i) => `value ->> ${i}`).join(', ')} from json_each(?) where true ${ON_SAMPLE_CONFLICT}`,
  latest: `insert into device_telemetry_latest (${LATEST_COLUMNS}) select value ->> 0, value ->> 1, value ->> 2, value ->> 3 from json_each(?) where true ${ON_LATEST_CONFLICT}`
}
const pgTime = (i: number): string => `to_timestamp((e ->> ${i})::float8 / 1000)`
const POSTGRESQL_INSERTS = {
  samples: `insert into device_telemetry (${SAMPLE_COLUMNS}) select e ->> 0, ${pgTime(1)}, (e ->> 2)::float8, (e ->> 3)::bigint, (e ->> 4)::bigint, ` +
    '(e ->> 5)::bigint, (e ->> 6)::bigint, (e ->> 7)::float8, e ->> 8, (e ->> 9)::int, (e ->> 10)::bigint, (e ->> 11)::bigint ' +
    `from jsonb_array_elements(?::jsonb) as e ${ON_SAMPLE_CONFLICT}`,
  latest: `insert into device_telemetry_latest (${LATEST_COLUMNS}) select e ->> 0, ${pgTime(1)}, ${pgTime(2)}, (e ->> 3)::jsonb from jsonb_array_elements(?::jsonb) as e ${ON_LATEST_CONFLICT}`
}

export function createTelemetryStore (options: TelemetryOptions): TelemetryStore {
  const now = options.now ?? (() => new Date())
  const inserts = options.dialect === 'sqlite' ? SQLITE_INSERTS : POSTGRESQL_INSERTS
  let samples: SampleRow[] = []
  let latest = new Map<string, LatestRow>()
  let flushing: Promise<void> = Promise.resolve()

  async function write (): Promise<void> {
    if (samples.length === 0) return
    const batch = samples
    const newest = [...latest.values()]
    samples = []
    latest = new Map()
    const em = options.orm.em.fork() as SqlEntityManager
    await em.transactional(async (tx) => {
      for (const [sql, rows] of [[inserts.samples, batch], [inserts.latest, newest]] as const) {
        for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
          if (i > 0) await setImmediate()
          await tx.execute(sql, [JSON.stringify(rows.slice(i, i + ROWS_PER_STATEMENT))], 'run')
        }
      }
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
      samples.push(toRow(deviceId, telemetry))
      latest.set(deviceId, [deviceId, telemetry.ts, now().getTime(), JSON.stringify(telemetry)])
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
