// Runs the OpenClaw gateway as a child process: health checks on its HTTP endpoint, restarts with
// exponential backoff, crash-loop detection (reported as `crashed`, retried at the slowest pace),
// a bounded log buffer, and a graceful stop (SIGTERM, then SIGKILL after a grace period).
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import type { Logger } from 'pino'
import type { GatewayStatus } from '../../protocol/payloads.js'

const STARTING_PROBE_MS = 250

export interface GatewayOptions {
  command: string
  args: string[]
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** e.g. `http://127.0.0.1:18789/healthz` */
  healthUrl: string
  log: Logger
  healthIntervalMs?: number
  /** Failed checks in a row after which a running gateway is restarted. */
  unhealthyThreshold?: number
  /** How long a fresh process may take to become healthy before it is restarted. */
  startTimeoutMs?: number
  backoff?: { initialMs: number, maxMs: number }
  /** This many exits within the window is a crash loop. */
  crashLoop?: { exits: number, windowMs: number }
  stopGraceMs?: number
  logLines?: number
}

export interface GatewaySupervisor {
  readonly status: GatewayStatus
  readonly restarts: number
  readonly pid: number | undefined
  start: () => void
  stop: () => Promise<void>
  /** Stops and starts at once, backoff reset. Resolves when healthy or rejects after `timeoutMs` (default: the start timeout). */
  restart: (timeoutMs?: number) => Promise<void>
  /** Resolves when the gateway answers its health check. */
  whenHealthy: (timeoutMs: number) => Promise<void>
  logs: () => string[]
}

/** A wait for a healthy gateway ended because the gateway was stopped (the box stops or is released). */
export class GatewayStopped extends Error {
  override readonly name = 'GatewayStopped'
  constructor () { super('the gateway was stopped') }
}

export function createGatewaySupervisor (options: GatewayOptions): GatewaySupervisor {
  const { log } = options
  const healthInterval = options.healthIntervalMs ?? 5000
  const unhealthyThreshold = options.unhealthyThreshold ?? 3
  const startTimeout = options.startTimeoutMs ?? 60_000
  const backoff = options.backoff ?? { initialMs: 1000, maxMs: 60_000 }
  const crashLoop = options.crashLoop ?? { exits: 5, windowMs: 5 * 60_000 }
  const stopGrace = options.stopGraceMs ?? 10_000
  const maxLines = options.logLines ?? 1000

  let status: GatewayStatus = 'stopped'
  let restarts = 0
  let child: ChildProcess | undefined
  let wanted = false
  let failures = 0
  let exits: number[] = []
  let startedAt = 0
  let healthTimer: NodeJS.Timeout | undefined
  let retryTimer: NodeJS.Timeout | undefined
  const lines: string[] = []
  /** Who waits for `running`: told on success, or failed at once when the gateway is stopped. */
  const healthyWaiters = new Set<{ healthy: () => void, stopped: () => void }>()
  /** Counts stop() calls, so a restart that a stop overtook does not start the gateway again. */
  let stops = 0

  const keep = (stream: 'out' | 'err', chunk: Buffer): void => {
    for (const line of chunk.toString().split('\n')) {
      if (line === '') continue
      lines.push(`${new Date().toISOString()} ${stream} ${line}`)
      if (lines.length > maxLines) lines.shift()
    }
  }

  const setStatus = (next: GatewayStatus): void => {
    if (next === status) return
    log.info({ from: status, to: next, restarts }, 'gateway status')
    status = next
    if (next === 'running') for (const waiter of healthyWaiters) waiter.healthy()
  }

  async function healthy (): Promise<boolean> {
    try {
      const res = await fetch(options.healthUrl, { signal: AbortSignal.timeout(Math.min(healthInterval, 5000)) })
      await res.arrayBuffer()
      return res.ok
    } catch {
      return false
    }
  }

  function spawnGateway (): void {
    if (!wanted || child !== undefined) return
    setStatus(exits.length >= crashLoop.exits ? 'crashed' : 'starting')
    startedAt = Date.now()
    failures = 0
    const proc = spawn(options.command, options.args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
    child = proc
    proc.stdout!.on('data', (chunk: Buffer) => keep('out', chunk))
    proc.stderr!.on('data', (chunk: Buffer) => keep('err', chunk))
    proc.on('error', (err) => { keep('err', Buffer.from(`spawn failed: ${err.message}`)) })
    proc.on('close', (code, signal) => {
      if (child !== proc) return
      child = undefined
      if (!wanted) { setStatus('stopped'); return }
      const now = Date.now()
      exits = [...exits.filter((at) => now - at < crashLoop.windowMs), now]
      restarts++
      const looping = exits.length >= crashLoop.exits
      if (looping) log.error({ exits: exits.length, windowMs: crashLoop.windowMs }, 'gateway crash loop')
      setStatus(looping ? 'crashed' : 'starting')
      const delay = Math.min(backoff.maxMs, looping ? backoff.maxMs : backoff.initialMs * 2 ** (exits.length - 1))
      log.warn({ code, signal, retryInMs: delay }, 'gateway exited')
      retryTimer = setTimeout(spawnGateway, delay)
    })
  }

  async function check (): Promise<void> {
    if (child === undefined) return
    const proc = child
    if (await healthy()) {
      failures = 0
      setStatus('running')
      // Healthy for a whole crash window: past exits no longer count towards a loop.
      if (Date.now() - startedAt > crashLoop.windowMs) exits = []
      return
    }
    failures++
    const starting = status !== 'running'
    if ((starting && Date.now() - startedAt > startTimeout) || (!starting && failures >= unhealthyThreshold)) {
      log.warn({ failures }, 'gateway unhealthy; restarting it')
      proc.kill('SIGKILL')
    }
  }

  // A starting gateway is probed often, so a restart or an upgrade learns it is up within moments;
  // a running one every health interval.
  function scheduleCheck (): void {
    clearTimeout(healthTimer)
    const delay = status === 'running' ? healthInterval : Math.min(healthInterval, STARTING_PROBE_MS)
    healthTimer = setTimeout(() => {
      void check().finally(() => { if (wanted) scheduleCheck() })
    }, delay)
  }

  async function terminate (): Promise<void> {
    const proc = child
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return
    const closed = once(proc, 'close')
    proc.kill('SIGTERM')
    const timer = setTimeout(() => proc.kill('SIGKILL'), stopGrace)
    await closed
    clearTimeout(timer)
  }

  return {
    get status () { return status },
    get restarts () { return restarts },
    get pid () { return child?.pid },
    start () {
      if (wanted) return
      wanted = true
      exits = []
      spawnGateway()
      scheduleCheck()
    },
    async stop () {
      stops++
      wanted = false
      clearTimeout(healthTimer)
      clearTimeout(retryTimer)
      for (const waiter of healthyWaiters) waiter.stopped()
      await terminate()
      child = undefined
      setStatus('stopped')
    },
    async restart (timeoutMs = startTimeout) {
      const stopsBefore = stops
      clearTimeout(retryTimer)
      wanted = false
      await terminate()
      child = undefined
      if (stops !== stopsBefore) throw new GatewayStopped()
      wanted = true
      exits = []
      restarts++
      spawnGateway()
      scheduleCheck()
      await this.whenHealthy(timeoutMs)
    },
    whenHealthy (timeoutMs) {
      if (status === 'running') return Promise.resolve()
      return new Promise((resolve, reject) => {
        const settle = (outcome: () => void): void => { clearTimeout(timer); healthyWaiters.delete(waiter); outcome() }
        const waiter = {
          healthy: () => { settle(resolve) },
          stopped: () => { settle(() => { reject(new GatewayStopped()) }) }
        }
        const timer = setTimeout(() => { settle(() => { reject(new Error(`gateway not healthy within ${timeoutMs} ms`)) }) }, timeoutMs)
        healthyWaiters.add(waiter)
      })
    },
    logs: () => [...lines]
  }
}
