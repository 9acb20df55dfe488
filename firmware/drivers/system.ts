// Power actions. Real: systemd; simulated: recorded, so a test sees the request and the box lives on.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { SystemDriver } from './types.js'

const run = promisify(execFile)

export function createSystemdSystem (): SystemDriver {
  return {
    async reboot (delaySeconds) {
      // Scheduled through systemd-run so the command result is published before the box goes down.
      await run('systemd-run', ['--on-active', `${Math.max(1, delaySeconds)}`, '--timer-property=AccuracySec=100ms', 'systemctl', 'reboot'])
    }
  }
}

export interface SimulatedSystem extends SystemDriver {
  readonly reboots: number[]
}

export function createSimulatedSystem (): SimulatedSystem {
  const reboots: number[] = []
  return { reboots, async reboot (delaySeconds) { reboots.push(delaySeconds) } }
}
