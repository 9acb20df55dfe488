// Claiming an online box by the device authorization grant (RFC 8628; ARCHITECTURE §3 "Claiming a
// box" (b)). The box, authenticated by its device JWT, asks for a code; the authorization server
// shows its user code and who asks; the owner's approval claims the box right there (so a refusal,
// e.g. someone else's box, is shown to the owner), and the box's poll then answers `claimed`.
import { createHash } from 'node:crypto'
import type { DeviceCodeGrant, DevicePollErrorCode } from '../../protocol/device-flow.js'
import type { ClientRegistration, DeviceApproval, DeviceApprovalDecision } from '../oauth/authorization-server/clients.js'
import type { AuthorizationServer } from '../oauth/authorization-server/index.js'
import type { Claims } from './claims.js'
import type { Device } from './entities.js'
import { AlreadyClaimed, DeviceNotFound, DeviceRevoked } from './errors.js'

export const BOX_CLIENT_ID = 'openclaw-box'
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
/** RFC 8628 §3.5: after `slow_down` the device adds 5 seconds to its interval, for good. */
const SLOW_DOWN_STEP_SECONDS = 5
/** Polls arrive up to this much early without being "too fast": timers and networks jitter. */
const POLL_TOLERANCE_MS = 500
/** How long the pace of a code started elsewhere is kept: its expiry is not known here. */
const UNKNOWN_CODE_PACE_MS = 3_600_000

export type PollOutcome = { claimed: Device } | { error: DevicePollErrorCode, interval: number }

export interface DeviceFlowOptions {
  authorizationServer: Pick<AuthorizationServer, 'deviceAuthorizations'>
  claims: Pick<Claims, 'claimApprovedByDeviceFlow'>
  find: (deviceId: string) => Promise<Device | null>
  /** The oauth plugin's `requireEmailVerification`: unverified accounts cannot claim, as with label codes. */
  requireEmailVerification: boolean
  pollIntervalSeconds: number
  now?: () => number
}

export interface DeviceFlow {
  /** Registered with the authorization server: the client every box's device code belongs to. */
  client: ClientRegistration
  /** A new code for an unclaimed box; `ip` is shown to the owner as where the request came from. */
  start: (deviceId: string, ip: string) => Promise<DeviceCodeGrant>
  poll: (deviceId: string, deviceCode: string) => Promise<PollOutcome>
}

interface Pace { lastPollAt: number, intervalSeconds: number, expiresAt: number }

/** "2026-11-28 20:30 UTC": when the box asked, as the confirmation page shows it. */
const shownTime = (at: number): string => `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`

export function createDeviceFlow (options: DeviceFlowOptions): DeviceFlow {
  const now = options.now ?? Date.now
  const { deviceAuthorizations } = options.authorizationServer
  // Per device code (by hash: codes are bearer secrets), how fast its box may poll. Kept per process:
  // a box that alternates between nodes is paced by each, which bounds it all the same.
  const paces = new Map<string, Pace>()
  const keyOf = (deviceCode: string): string => createHash('sha256').update(deviceCode).digest('base64url')

  let sweptAt = 0
  /** Drops the paces of codes past their expiry, at most once a minute. */
  function forgetExpired (at: number): void {
    if (at - sweptAt < 60_000) return
    sweptAt = at
    for (const [key, pace] of paces) if (pace.expiresAt <= at) paces.delete(key)
  }

  /** `slow_down` when this poll came before the interval was up (RFC 8628 §3.5); the interval grows for good. */
  function tooFast (key: string, at: number): Pace | undefined {
    const pace = paces.get(key)
    if (pace === undefined) return undefined
    const early = at < pace.lastPollAt + pace.intervalSeconds * 1000 - POLL_TOLERANCE_MS
    if (early) pace.intervalSeconds += SLOW_DOWN_STEP_SECONDS
    pace.lastPollAt = at
    return early ? pace : undefined
  }

  async function approveDevice ({ user, deviceInfo }: DeviceApproval): Promise<DeviceApprovalDecision> {
    const refuse = (reason: string): DeviceApprovalDecision => ({ approved: false, reason })
    const deviceId = deviceInfo.boxId
    if (typeof deviceId !== 'string') return refuse('This code does not belong to a box.')
    if (!user.scopes.includes('devices:claim')) return refuse('Your account may not claim boxes.')
    // As `requireUser({ verifiedEmail: true })` guards the label-code claim.
    if (options.requireEmailVerification && !user.emailVerified) {
      return refuse('Verify your email address before claiming a box: open the link we mailed you, then scan the code on the box again.')
    }
    try {
      await options.claims.claimApprovedByDeviceFlow(user.id, deviceId)
      return { approved: true }
    } catch (err) {
      if (err instanceof AlreadyClaimed || err instanceof DeviceRevoked || err instanceof DeviceNotFound) return refuse(err.message)
      throw err
    }
  }

  return {
    client: {
      clientId: BOX_CLIENT_ID,
      clientName: 'OpenClaw Box',
      grantTypes: [DEVICE_CODE_GRANT],
      approveDevice
    },

    async start (deviceId, ip) {
      const device = await options.find(deviceId)
      if (device === null) throw new DeviceNotFound(deviceId)
      if (device.state === 'revoked') throw new DeviceRevoked()
      if (device.ownerId != null) throw new AlreadyClaimed()
      const at = now()
      forgetExpired(at)
      const deviceInfo: Record<string, string> = { boxId: device.id, model: device.model, requestedAt: shownTime(at), ip }
      if (device.firmwareVersion != null) deviceInfo.ua = `openclaw-box ${device.firmwareVersion}`
      const grant = await deviceAuthorizations.start({ clientId: BOX_CLIENT_ID, deviceInfo })
      paces.set(keyOf(grant.deviceCode), { lastPollAt: at, intervalSeconds: options.pollIntervalSeconds, expiresAt: at + grant.expiresIn * 1000 })
      return {
        device_code: grant.deviceCode,
        user_code: grant.userCode,
        verification_uri: grant.verificationUri,
        verification_uri_complete: grant.verificationUriComplete,
        expires_in: grant.expiresIn,
        interval: options.pollIntervalSeconds
      }
    },

    async poll (deviceId, deviceCode) {
      const key = keyOf(deviceCode)
      const at = now()
      const early = tooFast(key, at)
      if (early !== undefined) return { error: 'slow_down', interval: early.intervalSeconds }
      const outcome = await deviceAuthorizations.status(deviceCode)
      if (outcome.status !== 'pending') paces.delete(key)
      const interval = paces.get(key)?.intervalSeconds ?? options.pollIntervalSeconds
      switch (outcome.status) {
        case 'pending':
          // Only live codes are paced (so guesses cost no memory); one started on another node or before a restart joins here.
          if (!paces.has(key)) {
            forgetExpired(at)
            paces.set(key, { lastPollAt: at, intervalSeconds: interval, expiresAt: at + UNKNOWN_CODE_PACE_MS })
          }
          return { error: 'authorization_pending', interval }
        case 'denied': return { error: 'access_denied', interval }
        case 'expired': return { error: 'expired_token', interval }
        case 'approved': {
          // The approval claimed the box for the approver; a code of another box proves nothing here.
          const device = await options.find(deviceId)
          if (device === null) throw new DeviceNotFound(deviceId)
          if (device.ownerId === outcome.userId) return { claimed: device }
          // Owned by someone else: this code can no longer claim it. Unowned: the claim is being recorded.
          return { error: device.ownerId == null ? 'authorization_pending' : 'access_denied', interval }
        }
      }
    }
  }
}
