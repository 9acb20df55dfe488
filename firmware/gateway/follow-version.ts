// The cloud's desired `gateway.version`: a claimed box whose `current` version differs (or that has
// none yet, as a freshly packaged box) installs and switches to it through the same upgrade path as
// the `upgrade-gateway` command. A failed attempt is retried after a delay that doubles up to
// MAX_RETRY_MS, so a version that cannot be installed or never gets healthy is not retried in a loop;
// a new desired version starts over at once.
import type { Logger } from 'pino'
import type { CommandOutcome } from '../cloud/link.js'
import type { GatewayVersions } from './versions.js'

/** The longest wait between two attempts at one desired version. */
export const MAX_RETRY_MS = 6 * 60 * 60_000

export interface VersionFollower {
  /** The version the box should run now; undefined when it should follow none (unclaimed). */
  want: (version: string | undefined) => void
  close: () => void
}

export interface VersionFollowerOptions {
  upgrade: (version: string) => Promise<CommandOutcome>
  versions: Pick<GatewayVersions, 'current'>
  /** Wait after the first failed attempt; doubled after each further one. */
  retryMs: number
  log: Logger
}

export function createVersionFollower (options: VersionFollowerOptions): VersionFollower {
  const { log } = options
  let wanted: string | undefined
  let failures = 0
  let timer: NodeJS.Timeout | undefined
  let running = false
  let closed = false

  async function attempt (): Promise<void> {
    const version = wanted
    if (version === undefined || closed) return
    // Marked before the first await, so a change of mind meanwhile waits for this attempt, not races it.
    running = true
    let outcome: CommandOutcome | undefined
    try {
      const current = await options.versions.current()
      if (current !== version) {
        log.info({ version, current }, 'installing the desired gateway version')
        outcome = await options.upgrade(version)
      }
    } finally {
      running = false
    }
    if (closed) return
    // The desired version changed meanwhile: follow the new one now.
    if (wanted !== version) { run(); return }
    if (outcome === undefined) return
    if (outcome.status === 'succeeded') {
      failures = 0
      log.info({ version, message: outcome.message }, 'desired gateway version installed')
      return
    }
    const delayMs = Math.min(MAX_RETRY_MS, options.retryMs * 2 ** failures)
    failures++
    log.error({ version, failures, retryInSeconds: Math.round(delayMs / 1000), message: outcome.message }, 'installing the desired gateway version failed; retrying later')
    timer = setTimeout(run, delayMs)
  }

  function run (): void {
    timer = undefined
    attempt().catch((err: unknown) => { log.error({ err }, 'following the desired gateway version failed') })
  }

  return {
    want (version) {
      if (version === wanted) return
      wanted = version
      failures = 0
      clearTimeout(timer)
      timer = undefined
      // An attempt in progress finishes first (upgrades run one at a time), then follows the change.
      if (version !== undefined && !running) run()
    },
    close () {
      closed = true
      clearTimeout(timer)
    }
  }
}
