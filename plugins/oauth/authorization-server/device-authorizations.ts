// Device authorizations started by the server for a device that does not speak OAuth itself (a box
// being claimed): the same device codes and pages as the device authorization endpoint (RFC 8628
// §3.1–3.3), and a way to learn the outcome. State lives in the database, so any node can report it.
import { randomInt } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type Provider from 'oidc-provider'
import { DEVICE_CODE_GRANT } from './clients.js'
import { OIDC_PREFIX } from './provider.js'

// RFC 8628 §6.1: 8 characters of a 20-letter alphabet without vowels, about 34 bits, shown as XXXX-XXXX.
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ'
const USER_CODE_LENGTH = 8
/** RFC 8628 §3.2: polling interval a device should use when none is given. */
export const DEVICE_POLL_INTERVAL_SECONDS = 5

export interface StartDeviceAuthorization {
  /** A registered client allowed the device code grant, e.g. the devices plugin's box client. */
  clientId: string
  /** Default `openid`. */
  scope?: string
  /** Shown on the confirmation page: `boxId`, `name`, `model` (strings) are displayed. */
  deviceInfo: Record<string, string>
}

export interface DeviceAuthorization {
  deviceCode: string
  /** As the user types it, e.g. `BDFG-HJKL`. */
  userCode: string
  verificationUri: string
  /** Opens the confirmation page with the code filled in: put it in a QR code. */
  verificationUriComplete: string
  expiresIn: number
  interval: number
}

export type DeviceAuthorizationStatus =
  | { status: 'pending' }
  | { status: 'approved', userId: string }
  | { status: 'denied' }
  | { status: 'expired' }

export interface DeviceAuthorizations {
  start: (request: StartDeviceAuthorization) => Promise<DeviceAuthorization>
  status: (deviceCode: string) => Promise<DeviceAuthorizationStatus>
  /** Resolves once the authorization is approved, denied or expired; rejects when `signal` aborts. */
  wait: (deviceCode: string, options?: { signal?: AbortSignal, pollMs?: number }) => Promise<DeviceAuthorizationStatus>
}

type DeviceCodeInit = ConstructorParameters<Provider['DeviceCode']>[0]

function newUserCode (): { typed: string, stored: string } {
  const stored = Array.from({ length: USER_CODE_LENGTH }, () => USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)]).join('')
  return { stored, typed: `${stored.slice(0, 4)}-${stored.slice(4)}` }
}

export function createDeviceAuthorizations (provider: Provider, issuer: string): DeviceAuthorizations {
  const verificationUri = `${issuer}${OIDC_PREFIX}/device`

  async function status (deviceCode: string): Promise<DeviceAuthorizationStatus> {
    // Approval outlives the approving browser's session: whether the box was claimed does not change at sign-out.
    const options = { ignoreExpiration: true, ignoreSessionBinding: true }
    const code = await provider.DeviceCode.find(deviceCode, options)
    if (code === undefined) return { status: 'expired' }
    if (code.error !== undefined) return { status: 'denied' }
    if (code.accountId !== undefined) return { status: 'approved', userId: code.accountId }
    return code.isExpired ? { status: 'expired' } : { status: 'pending' }
  }

  return {
    async start ({ clientId, scope = 'openid', deviceInfo }) {
      const client = await provider.Client.find(clientId)
      if (client === undefined) throw new Error(`OAuth client ${clientId} is not registered`)
      if (!client.grantTypeAllowed(DEVICE_CODE_GRANT)) throw new Error(`OAuth client ${clientId} may not use the device code grant`)
      const userCode = newUserCode()
      // As the device authorization endpoint makes them; the grant comes with the user's approval.
      const init: Omit<DeviceCodeInit, 'grantId'> = { client, deviceInfo, params: { client_id: clientId, scope }, userCode: userCode.stored }
      const code = new provider.DeviceCode(init as DeviceCodeInit)
      const deviceCode = await code.save()
      return {
        deviceCode,
        userCode: userCode.typed,
        verificationUri,
        verificationUriComplete: `${verificationUri}?user_code=${userCode.typed}`,
        expiresIn: code.expiration,
        interval: DEVICE_POLL_INTERVAL_SECONDS
      }
    },

    status,

    async wait (deviceCode, { signal, pollMs = 1000 } = {}) {
      for (;;) {
        const current = await status(deviceCode)
        if (current.status !== 'pending') return current
        await sleep(pollMs, undefined, { signal })
      }
    }
  }
}
