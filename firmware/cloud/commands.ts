// What each cloud command does on the box (protocol/payloads.ts COMMAND_NAMES). Results that end
// the box's current life (reboot, factory reset) are reported first and acted on after.
import type { Logger } from 'pino'
import type { Command, DesiredConfig } from '../../protocol/payloads.js'
import type { SystemDriver } from '../drivers/types.js'
import type { GatewaySupervisor } from '../gateway/supervisor.js'
import type { CommandOutcome } from './link.js'

export interface CommandContext {
  gateway?: GatewaySupervisor
  system: SystemDriver
  log: Logger
  /** Applies a desired config; resolves to false when it is not newer than the one applied. */
  applyConfig: (config: DesiredConfig) => Promise<boolean>
  /** Present when the gateway runs an installed OpenClaw version (gateway/upgrade.ts). */
  upgradeGateway?: (version: string) => Promise<CommandOutcome>
  factoryReset: () => Promise<void>
}

export function createCommandHandler (context: CommandContext): (command: Command) => Promise<CommandOutcome> {
  return async (command) => {
    switch (command.name) {
      case 'restart-gateway': {
        if (context.gateway === undefined) return { status: 'failed', message: 'no gateway is configured on this box' }
        await context.gateway.restart()
        return { status: 'succeeded', output: { status: context.gateway.status, restarts: context.gateway.restarts } }
      }
      case 'update-config': {
        const applied = await context.applyConfig(command.params.config)
        return applied
          ? { status: 'succeeded', output: { version: command.params.config.version } }
          : { status: 'succeeded', message: `config version ${command.params.config.version} is not newer than the applied one; nothing to do` }
      }
      case 'reboot': {
        const delay = command.params.delaySeconds ?? 0
        return { status: 'succeeded', message: `rebooting in ${delay} s`, after: () => context.system.reboot(delay) }
      }
      case 'factory-reset':
        return { status: 'succeeded', message: 'resetting to factory state', after: context.factoryReset }
      case 'upload-logs': {
        const lines = context.gateway?.logs() ?? []
        const since = command.params.sinceSeconds === undefined ? undefined : Date.now() - command.params.sinceSeconds * 1000
        const chosen = since === undefined ? lines : lines.filter((line) => Date.parse(line.slice(0, 24)) >= since)
        const res = await fetch(command.params.uploadUrl, { method: 'PUT', headers: { 'content-type': 'text/plain; charset=utf-8' }, body: chosen.join('\n'), signal: AbortSignal.timeout(30_000) })
        if (!res.ok) return { status: 'failed', message: `upload answered HTTP ${res.status}` }
        return { status: 'succeeded', output: { lines: chosen.length } }
      }
      case 'upgrade-gateway':
        if (context.upgradeGateway === undefined) {
          return { status: 'failed', message: context.gateway === undefined ? 'no gateway is configured on this box' : 'this box runs a fixed gateway command (it names no {package}), so it cannot switch OpenClaw versions' }
        }
        return await context.upgradeGateway(command.params.version)
    }
  }
}
