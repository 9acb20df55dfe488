// The `upgrade-gateway` command: install the asked-for OpenClaw version beside the running one (which
// keeps serving meanwhile), switch to it, and wait for its health check. A version that does not
// become healthy in time is switched away from again: the previous version is restarted and the
// failed one removed. Only the running version and the one before it are kept on disk.
import type { Logger } from 'pino'
import type { CommandOutcome } from '../cloud/link.js'
import { GatewayStopped, type GatewaySupervisor } from './supervisor.js'
import type { GatewayVersions } from './versions.js'

export interface GatewayUpgrader {
  upgrade: (version: string) => Promise<CommandOutcome>
}

export interface GatewayUpgraderOptions {
  gateway: GatewaySupervisor
  versions: GatewayVersions
  healthTimeoutMs: number
  log: Logger
  /** Told after the running version changed (to report it to the cloud). */
  onVersion: (version: string | undefined) => void
}

export function createGatewayUpgrader (options: GatewayUpgraderOptions): GatewayUpgrader {
  const { gateway, versions, log } = options
  let busy: string | undefined
  const seconds = `${Math.round(options.healthTimeoutMs / 1000)} s`

  async function upgrade (version: string): Promise<CommandOutcome> {
    const previous = await versions.current()
    if (previous === version && gateway.status === 'running') {
      return { status: 'succeeded', message: `openclaw ${version} is already running`, output: { version } }
    }
    try {
      await versions.install(version)
    } catch (err) {
      log.warn({ version, err: (err as Error).message }, 'gateway install failed')
      return { status: 'failed', message: `${(err as Error).message}; nothing was switched, ${previous === undefined ? 'no version is installed' : `openclaw ${previous} keeps running`}`, output: { version: previous ?? null, rolledBack: false } }
    }
    log.info({ from: previous, to: version }, 'switching gateway version')
    await versions.activate(version)
    options.onVersion(version)
    // An unclaimed box runs no gateway, and an upgrade must not start one: the version waits in place.
    if (gateway.status === 'stopped') {
      await versions.prune(previous === undefined ? [version] : [version, previous])
      return { status: 'succeeded', message: `openclaw ${version} is installed; the gateway is stopped, so it runs from the next start`, output: { version, previous: previous ?? null, started: false } }
    }
    try {
      await gateway.restart(options.healthTimeoutMs)
    } catch (err) {
      if (err instanceof GatewayStopped) {
        // Stopped mid-upgrade (the box stops or is released): the new version is unproven, so the
        // last known good one stays current, and nothing is started.
        if (previous !== undefined) { await versions.activate(previous); options.onVersion(previous) }
        return { status: 'failed', message: `the gateway was stopped before openclaw ${version} became healthy; ${previous === undefined ? 'it stays installed' : `openclaw ${previous} stays current`}`, output: { version: previous ?? version, rolledBack: previous !== undefined } }
      }
      log.error({ version, previous }, 'new gateway version not healthy; rolling back')
      if (previous === undefined) {
        return { status: 'failed', message: `openclaw ${version} did not become healthy within ${seconds}, and there is no previous version to roll back to`, output: { version, rolledBack: false } }
      }
      await versions.activate(previous)
      options.onVersion(previous)
      await versions.remove(version)
      const back = await gateway.restart(options.healthTimeoutMs).then(() => 'healthy again', (err: Error) => `not healthy either (${err.message})`)
      return { status: 'failed', message: `openclaw ${version} did not become healthy within ${seconds}; rolled back to ${previous}, which is ${back}`, output: { version: previous, rolledBack: true, failedVersion: version } }
    }
    await versions.prune(previous === undefined ? [version] : [version, previous])
    log.info({ version, previous }, 'gateway upgraded')
    return { status: 'succeeded', message: `openclaw ${version} is running${previous === undefined ? '' : ` (was ${previous})`}`, output: { version, previous: previous ?? null } }
  }

  return {
    async upgrade (version) {
      // One at a time: two installs racing for `current` would leave it pointing at either.
      if (busy !== undefined) return { status: 'failed', message: `an upgrade to openclaw ${busy} is already in progress` }
      busy = version
      try {
        return await upgrade(version)
      } finally {
        busy = undefined
      }
    }
  }
}
