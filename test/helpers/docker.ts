// Small Docker CLI helpers for the image tests: a throwaway bridge network, containers labelled
// openclaw.cloud/test=true, and HTTP polling. Everything created here is removed in t.teardown.
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { promisify } from 'node:util'

const run = promisify(execFile)

export const TEST_LABEL = 'openclaw.cloud/test=true'

interface Teardown { teardown: (fn: () => unknown) => void }

export async function docker (...args: string[]): Promise<string> {
  const { stdout } = await run('docker', args, { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 })
  return stdout.trim()
}

export function uniqueName (prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`
}

export interface TestNetwork {
  name: string
  /** The bridge's gateway address: where requests from this host appear to come from. */
  gateway: string
}

/** A user-defined bridge network, removed on teardown (after the containers on it). */
export async function createNetwork (t: Teardown, prefix = 'oc-test'): Promise<TestNetwork> {
  const name = uniqueName(prefix)
  await docker('network', 'create', '--driver', 'bridge', '--label', TEST_LABEL, name)
  t.teardown(async () => { await docker('network', 'rm', name).catch(() => undefined) })
  const gateway = await docker('network', 'inspect', name, '--format', '{{range .IPAM.Config}}{{.Gateway}}{{end}}')
  if (!gateway) throw new Error(`network ${name} has no IPv4 gateway`)
  return { name, gateway }
}

export interface TestContainer {
  id: string
  name: string
  /** The container's address on the test network (reachable from this host). */
  ip: string
  logs: () => Promise<string>
}

export interface RunOptions {
  network: TestNetwork
  image: string
  /** Extra `docker run` arguments placed before the image (mounts, env, limits). */
  args?: string[]
  /** Overrides the image's CMD. */
  command?: string[]
}

/**
 * Starts a detached container with the hardening tenants get (no capabilities, no privilege
 * escalation, pids limit), labelled for cleanup; force-removed on teardown.
 */
export async function runContainer (t: Teardown, options: RunOptions): Promise<TestContainer> {
  const name = uniqueName('oc-test')
  const id = await docker('run', '--detach', '--name', name, '--label', TEST_LABEL,
    '--network', options.network.name,
    '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--pids-limit', '512',
    ...(options.args ?? []), options.image, ...(options.command ?? []))
  // Registered first so it runs after later teardowns but before the network's (LIFO order).
  t.teardown(async () => { await docker('rm', '--force', '--volumes', id).catch(() => undefined) })
  const ip = await docker('inspect', id, '--format', `{{(index .NetworkSettings.Networks "${options.network.name}").IPAddress}}`)
  if (!ip) throw new Error(`container ${name} has no address on ${options.network.name}`)
  const logs = async (): Promise<string> => {
    const { stdout, stderr } = await run('docker', ['logs', '--tail', '200', id], { maxBuffer: 16 * 1024 * 1024 })
    return stdout + stderr
  }
  return { id, name, ip, logs }
}

/** Polls `url` until it answers `status`; resolves with the elapsed milliseconds. */
export async function waitForStatus (url: string, { status = 200, timeoutMs = 30_000, intervalMs = 50, headers = {} as Record<string, string> } = {}): Promise<number> {
  const started = performance.now()
  let last = 'no answer'
  while (performance.now() - started < timeoutMs) {
    try {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(2000) })
      await res.arrayBuffer()
      if (res.status === status) return performance.now() - started
      last = `HTTP ${res.status}`
    } catch (err) {
      last = (err as Error).message
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})`)
}

/** Memory in use by a running container, in bytes (from `docker stats`). */
export async function memoryUsage (id: string): Promise<number> {
  const out = await docker('stats', '--no-stream', '--format', '{{.MemUsage}}', id)
  const match = /^([\d.]+)\s*([KMGT]?i?B)/.exec(out)
  if (!match) throw new Error(`cannot parse docker stats output: ${out}`)
  const units: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 }
  return Number(match[1]) * (units[match[2] ?? 'B'] ?? 1)
}

/** Removes everything Docker holds for a tenant, found by its label: containers, then network and volume. */
export async function removeTenantResources (tenantId: string): Promise<void> {
  await removeLabelled(`openclaw.cloud/tenant=${tenantId}`)
}

/** Removes the containers, then the networks and volumes, that carry a label (`key=value`). */
export async function removeLabelled (keyValue: string): Promise<void> {
  const label = `label=${keyValue}`
  const containers = await docker('ps', '-aq', '--filter', label).catch(() => '')
  if (containers !== '') await docker('rm', '-f', ...containers.split('\n')).catch(() => undefined)
  const networks = await docker('network', 'ls', '-q', '--filter', label).catch(() => '')
  if (networks !== '') await docker('network', 'rm', ...networks.split('\n')).catch(() => undefined)
  const volumes = await docker('volume', 'ls', '-q', '--filter', label).catch(() => '')
  if (volumes !== '') await docker('volume', 'rm', '-f', ...volumes.split('\n')).catch(() => undefined)
}
