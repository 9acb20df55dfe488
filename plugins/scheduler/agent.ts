// The worker agent (`openclaw-cloud worker-agent`): runs on a Docker host, registers it with the
// control plane using its worker key, then heartbeats with live stats (memory, CPU load, containers)
// so placement sees the host as it is. A refused key stops the agent: it was revoked or mistyped.
import Docker from 'dockerode'
import os from 'node:os'
import type { WorkerStats, WorkerTls } from './entities.js'

export interface AgentOptions {
  /** The control plane's URL, e.g. https://cloud.example.com */
  server: string
  /** The worker key (`ocw_...`) an admin created for this host. */
  key: string
  /** The local engine the agent measures. */
  dockerSocket: string
  /** How the control plane reaches this engine: `unix:///...` (same machine) or `tcp://host:2376` with `tls`. */
  endpoint: string
  tls?: WorkerTls
  labels: Record<string, string>
  /** CPUs offered per core (plan CPU limits are shares, mostly idle). */
  cpuOvercommit: number
  intervalMs: number
  log: (message: string) => void
}

export class AgentKeyRefused extends Error {}

type Measured = Omit<WorkerStats, 'at'>

export function createWorkerAgent (options: AgentOptions) {
  const docker = new Docker({ socketPath: options.dockerSocket })
  const base = options.server.replace(/\/+$/, '')
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  let stopping = (): void => undefined

  async function measure (): Promise<Measured> {
    const info = await docker.info() as { MemTotal: number, NCPU: number, Containers: number, ContainersRunning: number }
    return {
      memoryTotal: info.MemTotal,
      // The host's own view; what the engine reports as total is the same machine's memory.
      memoryUsed: Math.max(0, os.totalmem() - os.freemem()),
      cpus: info.NCPU,
      cpuLoad: Number((os.loadavg()[0]! / Math.max(1, info.NCPU)).toFixed(3)),
      containers: info.Containers,
      containersRunning: info.ContainersRunning
    }
  }

  async function call (path: string, body: unknown): Promise<unknown> {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(Math.max(5000, options.intervalMs))
    })
    const text = await res.text()
    if (res.status === 401) throw new AgentKeyRefused(`${base} refused the worker key (${path}); ask an admin for a new one`)
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${text.slice(0, 300)}`)
    return JSON.parse(text)
  }

  async function register (): Promise<{ id: string, name: string, state: string }> {
    const stats = await measure()
    return await call('/api/workers/register', {
      endpoint: options.endpoint,
      ...(options.tls === undefined ? {} : { tls: options.tls }),
      labels: options.labels,
      capacity: { memory: stats.memoryTotal, cpu: stats.cpus * options.cpuOvercommit }
    }) as { id: string, name: string, state: string }
  }

  async function heartbeat (): Promise<void> {
    await call('/api/workers/heartbeat', { stats: await measure() })
  }

  return {
    register,
    heartbeat,
    /** Registers, then heartbeats every interval until stopped; resolves when stopped, rejects on a refused key. */
    async run (): Promise<void> {
      const worker = await register()
      options.log(`registered as worker ${worker.name} (${worker.state}); heartbeat every ${options.intervalMs / 1000} s`)
      await new Promise<void>((resolve, reject) => {
        const next = (): void => {
          if (stopped) { resolve(); return }
          timer = setTimeout(() => {
            heartbeat().then(next, (err: unknown) => {
              if (err instanceof AgentKeyRefused) { reject(err); return }
              // The control plane may be restarting: keep trying, it marks us offline meanwhile.
              options.log(`heartbeat failed: ${(err as Error).message}`)
              next()
            })
          }, options.intervalMs)
        }
        stopping = () => { clearTimeout(timer); resolve() }
        next()
      })
    },
    stop (): void { stopped = true; stopping() }
  }
}
