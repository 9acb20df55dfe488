// `openclaw-cloud worker-agent`: turns command-line options into an agent (agent.ts) and runs it
// until SIGTERM/SIGINT. Mistakes the operator must fix are StartupErrors: one line, no stack.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { StartupError } from '../../server/startup-error.js'
import { AgentKeyRefused, createWorkerAgent } from './agent.js'

export interface AgentCliOptions {
  server: string
  dockerSocket: string
  endpoint?: string
  tlsDir?: string
  label: string[]
  interval: string
  cpuOvercommit: string
}

const LABEL = /^([a-z0-9][a-z0-9._/-]{0,62})=(.{0,128})$/

export async function runWorkerAgent (options: AgentCliOptions): Promise<void> {
  // From the environment only: a key on the command line is visible to every user of the host.
  const key = process.env.OPENCLAW_WORKER_KEY
  if (key === undefined || key === '') throw new StartupError('Set OPENCLAW_WORKER_KEY to the worker key an admin created (POST /api/admin/workers or scripts/add-worker.sh)')
  const labels: Record<string, string> = {}
  for (const label of options.label) {
    const match = LABEL.exec(label)
    if (match === null) throw new StartupError(`--label ${label} must be key=value with a lowercase key (letters, digits, . _ / -)`)
    labels[match[1]!] = match[2]!
  }
  const intervalSeconds = Number(options.interval)
  if (!(intervalSeconds >= 1 && intervalSeconds <= 3600)) throw new StartupError(`--interval ${options.interval} must be a number of seconds from 1 to 3600`)
  const cpuOvercommit = Number(options.cpuOvercommit)
  if (!(cpuOvercommit > 0 && cpuOvercommit <= 100)) throw new StartupError(`--cpu-overcommit ${options.cpuOvercommit} must be a number above 0, at most 100`)
  const tls = options.tlsDir === undefined
    ? undefined
    : Object.fromEntries(await Promise.all((['ca', 'cert', 'key'] as const).map(async (name) => {
      const file = path.join(options.tlsDir!, `${name}.pem`)
      try { return [name, await readFile(file, 'utf8')] } catch (err) { throw new StartupError(`--tls-dir: cannot read ${file}: ${(err as Error).message}`) }
    }))) as { ca: string, cert: string, key: string }

  const agent = createWorkerAgent({
    server: options.server,
    key,
    dockerSocket: options.dockerSocket,
    endpoint: options.endpoint ?? `unix://${options.dockerSocket}`,
    tls,
    labels,
    cpuOvercommit,
    intervalMs: intervalSeconds * 1000,
    log: (message) => { console.log(`worker-agent: ${message}`) }
  })
  const stop = (): void => { agent.stop() }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
  try {
    await agent.run()
  } catch (err) {
    if (err instanceof AgentKeyRefused) throw new StartupError(err.message)
    throw new StartupError(`worker agent stopped: ${(err as Error).message}`)
  } finally {
    process.off('SIGTERM', stop)
    process.off('SIGINT', stop)
  }
}
