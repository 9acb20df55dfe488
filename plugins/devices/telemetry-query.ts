// Telemetry for charts: samples of one box between `from` and `to`, downsampled into buckets of
// `step` seconds (gauges averaged, counters at their maximum, the last gateway status).
import type { EntityManager } from '@mikro-orm/core'
import { TelemetrySample } from './entities.js'
import { InvalidTelemetryRange } from './errors.js'

export const MAX_POINTS = 2000
/** Points a chart gets when it does not ask for a step. */
export const DEFAULT_POINTS = 300
const NICE_STEPS_SECONDS = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21_600, 43_200, 86_400]

export interface TelemetryRange {
  from: Date
  to: Date
  stepSeconds?: number
}

export interface TelemetryPoint {
  /** Start of the bucket. */
  ts: string
  samples: number
  cpuPercent: number
  memoryUsedBytes: number
  memoryTotalBytes: number
  diskUsedBytes: number
  diskTotalBytes: number
  temperatureC: number | null
  gatewayStatus: string
  gatewayRestarts: number
  rxBytes: number | null
  txBytes: number | null
}

export interface TelemetrySeries {
  from: string
  to: string
  stepSeconds: number
  points: TelemetryPoint[]
}

/** The step asked for (checked), or the smallest "nice" step that keeps the chart near DEFAULT_POINTS. */
export function chooseStep (range: TelemetryRange): number {
  const spanSeconds = (range.to.getTime() - range.from.getTime()) / 1000
  if (!(spanSeconds > 0)) throw new InvalidTelemetryRange('`from` must be before `to`')
  if (range.stepSeconds !== undefined) {
    if (!Number.isInteger(range.stepSeconds) || range.stepSeconds < 1) throw new InvalidTelemetryRange('`step` must be a whole number of seconds, at least 1')
    if (spanSeconds / range.stepSeconds > MAX_POINTS) throw new InvalidTelemetryRange(`that range and step give more than ${MAX_POINTS} points; use a step of at least ${Math.ceil(spanSeconds / MAX_POINTS)} s`)
    return range.stepSeconds
  }
  const wanted = spanSeconds / DEFAULT_POINTS
  return NICE_STEPS_SECONDS.find((step) => step >= wanted) ?? Math.ceil(wanted / 86_400) * 86_400
}

const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length
const present = (values: Array<number | null | undefined>): number[] => values.filter((value): value is number => value != null)

/** Pure: buckets samples (sorted by ts) by `stepMs` from `from`; empty buckets are left out. */
export function downsample (samples: readonly TelemetrySample[], from: Date, stepMs: number): TelemetryPoint[] {
  const buckets = new Map<number, TelemetrySample[]>()
  for (const sample of samples) {
    const index = Math.floor((sample.ts.getTime() - from.getTime()) / stepMs)
    if (index < 0) continue
    const bucket = buckets.get(index)
    if (bucket === undefined) buckets.set(index, [sample])
    else bucket.push(sample)
  }
  return [...buckets].sort(([a], [b]) => a - b).map(([index, group]) => {
    const temperatures = present(group.map((s) => s.temperatureC))
    const rx = present(group.map((s) => s.rxBytes))
    const tx = present(group.map((s) => s.txBytes))
    return {
      ts: new Date(from.getTime() + index * stepMs).toISOString(),
      samples: group.length,
      cpuPercent: mean(group.map((s) => s.cpuPercent)),
      memoryUsedBytes: Math.round(mean(group.map((s) => s.memoryUsedBytes))),
      memoryTotalBytes: Math.max(...group.map((s) => s.memoryTotalBytes)),
      diskUsedBytes: Math.round(mean(group.map((s) => s.diskUsedBytes))),
      diskTotalBytes: Math.max(...group.map((s) => s.diskTotalBytes)),
      temperatureC: temperatures.length === 0 ? null : mean(temperatures),
      gatewayStatus: group[group.length - 1]!.gatewayStatus,
      gatewayRestarts: Math.max(...group.map((s) => s.gatewayRestarts)),
      rxBytes: rx.length === 0 ? null : Math.max(...rx),
      txBytes: tx.length === 0 ? null : Math.max(...tx)
    }
  })
}

export async function queryTelemetry (em: EntityManager, deviceId: string, range: TelemetryRange): Promise<TelemetrySeries> {
  const stepSeconds = chooseStep(range)
  const samples = await em.find(TelemetrySample, { deviceId, ts: { $gte: range.from, $lt: range.to } }, { orderBy: { ts: 'asc' } })
  return { from: range.from.toISOString(), to: range.to.toISOString(), stepSeconds, points: downsample(samples, range.from, stepSeconds * 1000) }
}
