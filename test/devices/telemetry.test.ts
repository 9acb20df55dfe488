// Telemetry history: downsampling for charts (pure), the stored series, and retention.
import t from 'tap'
import { createTokenBucket } from '../../plugins/devices/limits.js'
import { LatestTelemetry, TelemetrySample } from '../../plugins/devices/entities.js'
import { chooseStep, downsample } from '../../plugins/devices/telemetry-query.js'
import { createTelemetryStore } from '../../plugins/devices/telemetry.js'
import type { Telemetry } from '../../protocol/payloads.js'
import { telemetryTopic } from '../../protocol/topics.js'
import { forEachDialect } from '../helpers/app.js'
import { closeClient, connectBox, registerBoxes, startDevicesApp, telemetry } from './helpers.js'

const sample = (ts: string, cpuPercent: number, extra: Partial<TelemetrySample> = {}): TelemetrySample => ({
  deviceId: 'ocb_0000000000000000', ts: new Date(ts), cpuPercent, memoryUsedBytes: 100, memoryTotalBytes: 1000,
  diskUsedBytes: 10, diskTotalBytes: 100, temperatureC: null, gatewayStatus: 'running', gatewayRestarts: 0, rxBytes: null, txBytes: null, ...extra
})

t.test('downsample averages gauges, keeps counter maxima and the last status per bucket', async (t) => {
  const from = new Date('2026-11-28T10:00:00Z')
  const points = downsample([
    sample('2026-11-28T10:00:05Z', 10, { temperatureC: 40, rxBytes: 5 }),
    sample('2026-11-28T10:00:50Z', 30, { temperatureC: 50, rxBytes: 9, gatewayRestarts: 1, gatewayStatus: 'crashed' }),
    sample('2026-11-28T10:03:10Z', 80, { memoryUsedBytes: 300 })
  ], from, 60_000)
  t.same(points.map((p) => [p.ts, p.samples, p.cpuPercent, p.temperatureC, p.rxBytes, p.gatewayRestarts, p.gatewayStatus]), [
    ['2026-11-28T10:00:00.000Z', 2, 20, 45, 9, 1, 'crashed'],
    ['2026-11-28T10:03:00.000Z', 1, 80, null, null, 0, 'running']
  ], 'empty buckets are left out')
  t.equal(points[1]!.memoryUsedBytes, 300)
})

t.test('the step is checked, or chosen to give a readable chart', async (t) => {
  const from = new Date('2026-11-01T00:00:00Z')
  t.equal(chooseStep({ from, to: new Date('2026-11-02T00:00:00Z') }), 300, 'a day -> 5 minutes (288 points)')
  t.equal(chooseStep({ from, to: new Date('2026-11-01T01:00:00Z') }), 30, 'an hour -> 30 s')
  t.equal(chooseStep({ from, to: new Date('2026-11-01T01:00:00Z'), stepSeconds: 60 }), 60)
  t.throws(() => chooseStep({ from, to: from }), { code: 'INVALID_TELEMETRY_RANGE', message: /before/ })
  t.throws(() => chooseStep({ from, to: new Date('2026-11-30T00:00:00Z'), stepSeconds: 1 }), { code: 'INVALID_TELEMETRY_RANGE', message: /at least 1253 s/ })
})

t.test('the publish token bucket allows a burst, then the rate', async (t) => {
  let now = 0
  const bucket = createTokenBucket({ rate: 2, burst: 3 }, () => now)
  t.same([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false])
  now = 499
  t.notOk(bucket.take(), 'not quite one token after 499 ms at 2/s')
  now = 1000
  t.same([bucket.take(), bucket.take(), bucket.take()], [true, true, false], 'two tokens refilled in one second')
})

forEachDialect(t, 'ingested telemetry: latest per box, a queryable series, retention', async (t, dialect) => {
  const app = await startDevicesApp(t, { dialect, config: { telemetryRetentionDays: 7 } })
  const [box] = await registerBoxes(app, 1)
  const em = app.orm.em.fork()
  const old = new Date(Date.now() - 8 * 86_400_000)
  await em.insertMany(TelemetrySample, [sample(old.toISOString(), 99, { deviceId: box!.id })])
  const start = Date.UTC(2026, 10, 28, 12)
  await em.insertMany(TelemetrySample, Array.from({ length: 12 }, (_, i) => sample(new Date(start + i * 10_000).toISOString(), i * 10, { deviceId: box!.id, temperatureC: 40 + i })))
  const series = await app.devices.telemetry.query(box!.id, { from: new Date(start), to: new Date(start + 120_000), stepSeconds: 60 })
  t.same(series.points.map((p) => [p.samples, p.cpuPercent, p.temperatureC]), [[6, 25, 42.5], [6, 85, 48.5]])
  t.equal(series.stepSeconds, 60)

  t.equal(await app.devices.telemetry.prune(), 1, 'only the sample older than 7 days is pruned')
  t.equal(await em.fork().count(TelemetrySample, { deviceId: box!.id }), 12)
})

forEachDialect(t, 'telemetry published by boxes is stored: every sample once, the newest as latest', async (t, dialect) => {
  const app = await startDevicesApp(t, { dialect })
  const boxes = await registerBoxes(app, 2)
  const clients = await Promise.all(boxes.map((box) => connectBox(app, box)))
  t.teardown(() => Promise.all(clients.map(closeClient)))
  const start = Date.UTC(2026, 10, 28, 12)
  const publish = (i: number, ts: number, cpu: number): Promise<unknown> =>
    clients[i]!.publishAsync(telemetryTopic(boxes[i]!.id), JSON.stringify(telemetry({ ts, cpu: { percent: cpu }, network: { rxBytes: 5e9, txBytes: 7 } })), { qos: 1 })
  await publish(0, start, 10)
  await publish(0, start, 10) // a QoS 1 redelivery of the same sample
  await publish(0, start + 10_000, 20)
  await publish(1, start, 30)
  await app.devices.telemetry.flush()
  await publish(0, start + 20_000, 40)
  await app.devices.telemetry.flush()

  const range = { from: new Date(start), to: new Date(start + 30_000), stepSeconds: 10 }
  const series = await app.devices.telemetry.query(boxes[0]!.id, range)
  t.same(series.points.map((p) => [p.samples, p.cpuPercent, p.rxBytes, p.temperatureC]), [[1, 10, 5e9, 48], [1, 20, 5e9, 48], [1, 40, 5e9, 48]], 'each sample stored once, large counters intact')
  t.same((await app.devices.telemetry.query(boxes[1]!.id, range)).points.map((p) => p.cpuPercent), [30])
  const latest = await app.devices.telemetry.latest(boxes[0]!.id)
  t.equal(latest?.ts.getTime(), start + 20_000, 'a later flush replaces the latest sample')
  t.equal((latest?.data as unknown as Telemetry).cpu.percent, 40)
})

forEachDialect(t, 'a flush larger than one statement stores every sample and every box\'s latest', async (t, dialect) => {
  const app = await startDevicesApp(t, { dialect })
  const store = createTelemetryStore({ orm: app.orm, dialect, log: app.log, retentionDays: 30, flushIntervalMs: 3_600_000 })
  t.teardown(() => store.close())
  const start = Date.UTC(2026, 10, 28, 12)
  const boxes = 2_500
  const id = (i: number): string => `ocb_${String(i).padStart(16, '0')}`
  for (let i = 0; i < boxes; i++) store.ingest(id(i), telemetry({ ts: start, cpu: { percent: i % 100 } }))
  store.ingest(id(0), telemetry({ ts: start, cpu: { percent: 0 } })) // a redelivery, in another statement than the first
  // Quotes, backslashes and non-ASCII in a box's strings arrive intact.
  const tricky = telemetry({ ts: start + 10_000, cpu: { percent: 70 }, gateway: { status: 'running', restarts: 0, version: 'v"1\\2\'ü\n?' } })
  store.ingest(id(7), tricky)
  await store.flush()

  const em = app.orm.em.fork()
  t.equal(await em.count(TelemetrySample, {}), boxes + 1, 'every sample once')
  t.equal(await em.count(LatestTelemetry, {}), boxes, 'a latest sample per box')
  const latest = await store.latest(id(7))
  t.equal(latest?.ts.getTime(), start + 10_000)
  t.same(latest?.data, tricky)
  t.equal((await store.latest(id(boxes - 1)))?.ts.getTime(), start, 'the last box of the last statement')
})
