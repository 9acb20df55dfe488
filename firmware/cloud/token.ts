// The box's device JWT (ARCHITECTURE §3): signed here with its Ed25519 key, short-lived, and
// renewed before it expires, so every CONNECT, HTTP call and tunnel dial carries a valid one.
import type { KeyObject } from 'node:crypto'
import { signDeviceJwt } from '../../protocol/device-jwt.js'

export interface TokenSource {
  /** A token with at least the renewal margin of life left. */
  get: () => Promise<string>
}

export interface TokenSourceOptions {
  deviceId: string
  privateKey: KeyObject
  audience: string
  ttlSeconds?: number
  /** Renew when less than this fraction of the lifetime is left. */
  renewAtRemaining?: number
  now?: () => number
}

export function createTokenSource (options: TokenSourceOptions): TokenSource {
  const ttl = options.ttlSeconds ?? 900
  const margin = ttl * 1000 * (options.renewAtRemaining ?? 0.25)
  const now = options.now ?? Date.now
  let current: { token: string, expiresAt: number } | undefined
  return {
    async get () {
      if (current === undefined || current.expiresAt - now() < margin) {
        const issued = now()
        const token = await signDeviceJwt({ deviceId: options.deviceId, privateKey: options.privateKey, audience: options.audience, ttlSeconds: ttl, now: new Date(issued) })
        current = { token, expiresAt: issued + ttl * 1000 }
      }
      return current.token
    }
  }
}
