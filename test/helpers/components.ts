// Real components the tests talk to (ARCHITECTURE §4). A missing component fails the test under
// CI=true and skips it with the same message elsewhere: it never passes silently.
import { execFile } from 'node:child_process'
import { access } from 'node:fs/promises'
import net from 'node:net'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface Component {
  name: string
  /** Resolves when the component answers; rejects with the reason otherwise. */
  probe: () => Promise<void>
}

function tcpAnswers (host: string, port: number, timeoutMs = 1500): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port })
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no answer on ${host}:${port}`)) }, timeoutMs)
    socket.once('connect', () => { clearTimeout(timer); socket.end(); resolve() })
    socket.once('error', (err) => { clearTimeout(timer); reject(err) })
  })
}

export const postgresql: Component = {
  name: 'PostgreSQL on 127.0.0.1:5432',
  probe: () => tcpAnswers('127.0.0.1', 5432)
}

export const redis: Component = {
  name: 'Redis on 127.0.0.1:6379',
  probe: () => tcpAnswers('127.0.0.1', 6379)
}

export const mosquitto: Component = {
  name: 'Mosquitto on 127.0.0.1:1883',
  probe: () => tcpAnswers('127.0.0.1', 1883)
}

export const docker: Component = {
  name: 'Docker engine at /var/run/docker.sock',
  probe: async () => { await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 10_000 }) }
}

export const chromium: Component = {
  name: 'Chromium at /usr/bin/chromium',
  probe: () => access('/usr/bin/chromium')
}

export function dockerImage (ref: string): Component {
  return {
    name: `Docker image ${ref}`,
    probe: async () => { await run('docker', ['image', 'inspect', ref], { timeout: 10_000 }) }
  }
}

interface SkippableTest {
  fail: (message: string) => void
  /** `plan(0, reason)` marks the whole test as skipped with that reason. */
  plan: (count: number, comment: string) => void
}

/**
 * Checks each component; returns true when all answer. Otherwise fails (CI=true) or skips the
 * test with a message naming the missing component, and returns false: the caller returns early.
 */
export async function requireComponents (t: SkippableTest, ...components: Component[]): Promise<boolean> {
  for (const component of components) {
    try {
      await component.probe()
    } catch (err) {
      const message = `${component.name} is not available (${(err as Error).message})`
      if (process.env.CI === 'true') t.fail(`${message}; CI=true requires it`)
      else t.plan(0, `${message}; skipped outside CI`)
      return false
    }
  }
  return true
}
