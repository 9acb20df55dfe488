// The box's half of claiming by the device authorization grant (RFC 8628; ARCHITECTURE §3 "Claiming a
// box" (b)): while online and unclaimed it asks the cloud for a code, shows it (display, local API,
// setup page) and polls until the owner approves (claimed), the code expires (a new one), or the
// owner denies (shown, then a new one after a pause). A label-code claim arrives over MQTT instead.
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from 'pino'
import { DEVICE_CODE_PATH, DEVICE_POLL_PATH, DeviceCodeGrant, DevicePollError } from '../../protocol/device-flow.js'
import { DesiredConfig } from '../../protocol/payloads.js'
import { check } from '../../protocol/validate.js'
import type { TokenSource } from './token.js'
import type { DeviceFlowView } from '../../protocol/box-setup.js'

/** What the box shows while a code waits for approval (the local API's `deviceFlow`). */
export type { DeviceFlowView }

export type DeviceFlowStatus =
  | { kind: 'idle' }
  | { kind: 'waiting', code: DeviceFlowView }
  | { kind: 'denied' }

export interface DeviceFlowClaimerOptions {
  serverUrl: string
  tokens: TokenSource
  log: Logger
  /** The status changed: redraw. */
  onChange: (status: DeviceFlowStatus) => void
  /** The owner approved: the cloud's desired config for the box, which now names its owner. */
  onClaimed: (config: DesiredConfig) => void
  /** Pause after a denial or a failed request before asking again. */
  retryMs: number
}

export interface DeviceFlowClaimer {
  readonly status: DeviceFlowStatus
  /** Starts asking and polling (again); a no-op while running. */
  start: () => void
  /** Stops at once; the code shown is dropped. */
  stop: () => void
}

const REQUEST_TIMEOUT_MS = 15_000

class Rejected extends Error {
  constructor (readonly status: number, readonly body: unknown) {
    super(`the cloud answered ${status}`)
  }
}

export function createDeviceFlowClaimer (options: DeviceFlowClaimerOptions): DeviceFlowClaimer {
  const { log } = options
  let status: DeviceFlowStatus = { kind: 'idle' }
  let running: AbortController | undefined

  const set = (next: DeviceFlowStatus): void => {
    status = next
    options.onChange(next)
  }

  async function post (path: string, body: object | undefined, signal: AbortSignal): Promise<unknown> {
    const response = await fetch(new URL(path, options.serverUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${await options.tokens.get()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      // A cloud that never answers must not stall the loop: the code stays good, the next poll retries.
      signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)])
    })
    const answer: unknown = await response.json().catch(() => null)
    if (!response.ok) throw new Rejected(response.status, answer)
    return answer
  }

  async function askForCode (signal: AbortSignal): Promise<DeviceCodeGrant> {
    const checked = check(DeviceCodeGrant, await post(DEVICE_CODE_PATH, undefined, signal))
    if (!checked.ok) throw new Error(`the cloud's device code does not match the protocol: ${checked.issue.path} ${checked.issue.message}`)
    return checked.value
  }

  /** Polls one code (RFC 8628 §3.4–3.5) until it settles: claimed, denied, or expired. */
  async function pollUntilSettled (grant: DeviceCodeGrant, expiresAt: number, signal: AbortSignal): Promise<'claimed' | 'denied' | 'expired'> {
    let interval = grant.interval
    while (Date.now() < expiresAt) {
      await sleep(interval * 1000, undefined, { signal })
      let answer: unknown
      try {
        answer = await post(DEVICE_POLL_PATH, { device_code: grant.device_code }, signal)
      } catch (err) {
        if (signal.aborted) throw err
        const refusal = err instanceof Rejected && err.status === 400 ? check(DevicePollError, err.body) : undefined
        if (refusal?.ok !== true) {
          // The cloud or the network hiccuped: the code is still good, keep polling.
          log.warn({ err: (err as Error).message }, 'device code poll failed')
          continue
        }
        switch (refusal.value.error) {
          case 'authorization_pending': continue
          case 'slow_down': interval = Math.max(interval + 5, refusal.value.interval); continue
          case 'access_denied': return 'denied'
          case 'expired_token': return 'expired'
        }
      }
      const config = check(DesiredConfig, (answer as { config?: unknown } | null)?.config)
      if (!config.ok) throw new Error(`the cloud's claim answer does not match the protocol: ${config.issue.path} ${config.issue.message}`)
      options.onClaimed(config.value)
      return 'claimed'
    }
    return 'expired'
  }

  async function run (signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const grant = await askForCode(signal)
        const expiresAt = Date.now() + grant.expires_in * 1000
        set({ kind: 'waiting', code: { userCode: grant.user_code, verificationUri: grant.verification_uri, verificationUriComplete: grant.verification_uri_complete, expiresAt: new Date(expiresAt).toISOString() } })
        log.info({ expiresIn: grant.expires_in }, 'showing a device code for claiming')
        const outcome = await pollUntilSettled(grant, expiresAt, signal)
        log.info({ outcome }, 'device code settled')
        if (outcome === 'claimed') return
        if (outcome === 'denied') {
          set({ kind: 'denied' })
          await sleep(options.retryMs, undefined, { signal })
        }
      } catch (err) {
        if (signal.aborted) return
        // 409: claimed meanwhile (the config follows over MQTT); 429: asked too often; or no network.
        log.warn({ err: (err as Error).message }, 'claiming by device code failed; retrying')
        if (status.kind !== 'idle') set({ kind: 'idle' })
        await sleep(options.retryMs, undefined, { signal })
      }
    }
  }

  return {
    get status () { return status },
    start () {
      if (running !== undefined) return
      const controller = new AbortController()
      running = controller
      void run(controller.signal)
        .catch((err: unknown) => { if (!controller.signal.aborted) log.error({ err }, 'device flow claiming stopped') })
        .finally(() => {
          if (running !== controller) return
          running = undefined
          if (status.kind !== 'idle') set({ kind: 'idle' })
        })
    },
    stop () {
      running?.abort()
      running = undefined
      if (status.kind !== 'idle') set({ kind: 'idle' })
    }
  }
}
