// The gateway supervisor with a tiny fake gateway process: health, restarts with backoff, crash
// loops, the log buffer and graceful stops.
import { join } from 'node:path'
import pino from 'pino'
import t from 'tap'
import { createGatewaySupervisor, type GatewayOptions } from '../../firmware/gateway/supervisor.js'
import { freePort } from '../helpers/process.js'
import { until } from '../helpers/wait.js'

const FAKE = join(import.meta.dirname, 'fixtures', 'fake-gateway.mjs')

async function supervisor (t: { teardown: (fn: () => unknown) => void }, mode: string, overrides: Partial<GatewayOptions> = {}): Promise<ReturnType<typeof createGatewaySupervisor>> {
  const port = await freePort()
  const gateway = createGatewaySupervisor({
    command: process.execPath,
    args: [FAKE],
    env: { OPENCLAW_GATEWAY_PORT: String(port), FAKE_GATEWAY: mode },
    healthUrl: `http://127.0.0.1:${port}/healthz`,
    log: pino({ level: 'silent' }),
    healthIntervalMs: 100,
    backoff: { initialMs: 50, maxMs: 400 },
    stopGraceMs: 1000,
    ...overrides
  })
  t.teardown(() => gateway.stop())
  return gateway
}

t.test('starts, becomes healthy, is restarted after a crash, stops gracefully', async (t) => {
  const gateway = await supervisor(t, 'ok')
  gateway.start()
  t.equal(gateway.status, 'starting')
  await gateway.whenHealthy(20_000)
  t.equal(gateway.status, 'running')
  const first = gateway.pid!
  process.kill(first, 'SIGKILL')
  await until('a new process', () => gateway.pid !== undefined && gateway.pid !== first)
  await gateway.whenHealthy(20_000)
  t.equal(gateway.restarts, 1, 'the crash counts as a restart')
  t.match(gateway.logs().join('\n'), /gateway listening pid=\d+/, 'its output is kept')
  await gateway.stop()
  t.equal(gateway.status, 'stopped')
  t.match(gateway.logs().at(-1), /gateway stopping/, 'stopped with SIGTERM, so it could shut down cleanly')
})

t.test('restart() replaces the process and resolves once it is healthy', async (t) => {
  const gateway = await supervisor(t, 'ok')
  gateway.start()
  await gateway.whenHealthy(20_000)
  const before = gateway.pid
  await gateway.restart()
  t.not(gateway.pid, before)
  t.equal(gateway.status, 'running')
})

t.test('a gateway that keeps dying is reported as a crash loop', async (t) => {
  const gateway = await supervisor(t, 'exit', { crashLoop: { exits: 3, windowMs: 60_000 } })
  gateway.start()
  await until('crash loop', () => gateway.status === 'crashed')
  t.ok(gateway.restarts >= 3)
  t.match(gateway.logs().join('\n'), /fatal: config invalid/, 'the reason is in the log buffer')
})

t.test('a gateway that ignores SIGTERM is killed after the grace period', async (t) => {
  const gateway = await supervisor(t, 'ignore-term', { stopGraceMs: 300 })
  gateway.start()
  await gateway.whenHealthy(20_000)
  const started = Date.now()
  await gateway.stop()
  t.ok(Date.now() - started >= 290, 'it was given the grace period')
  t.equal(gateway.status, 'stopped')
  t.match(gateway.logs().join('\n'), /ignoring SIGTERM/)
})

t.test('stopping ends a wait for health at once, and nothing is started after the stop', async (t) => {
  // Health is asked of a port nothing listens on: this gateway never becomes healthy.
  const gateway = await supervisor(t, 'ok', { healthUrl: `http://127.0.0.1:${await freePort()}/healthz` })
  gateway.start()
  const restarting = gateway.restart(600_000)
  await until('the restarted process', () => gateway.pid !== undefined)
  const stopped = gateway.stop()
  await t.rejects(restarting, { name: 'GatewayStopped', message: 'the gateway was stopped' }, 'the waiting restart learns of the stop, not ten minutes later')
  await stopped
  t.equal(gateway.status, 'stopped')
  await new Promise((resolve) => setTimeout(resolve, 1000))
  t.equal(gateway.pid, undefined, 'no gateway process was started after the stop')
})
