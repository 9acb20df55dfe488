// The one device-JWT verifier (ARCHITECTURE §3 "Device identity"), shared by MQTT, HTTP and the
// tunnel: protocol's signature/audience/lifetime checks, the public key from the registry, and
// revocation. A database leak leaks no device secret: only public keys are stored.
import type { MikroORM } from '@mikro-orm/core'
import { DEFAULT_CLOCK_TOLERANCE_SECONDS, verifyDeviceJwt } from '../../protocol/device-jwt.js'
import { importPublicKey } from '../../protocol/device-keys.js'
import { Device } from './entities.js'

export interface VerifierOptions {
  orm: MikroORM
  /** The `aud` every device token must carry: the server URL the box was made for (PUBLIC_URL). */
  audience: string
  clockToleranceSeconds?: number
  now?: () => Date
}

/** Resolves to the device id, or rejects with protocol's DeviceJwtError (its `code` says why). */
export type VerifyDeviceToken = (token: string) => Promise<string>

export function createDeviceVerifier (options: VerifierOptions): VerifyDeviceToken {
  return async (token) => {
    let device: Pick<Device, 'publicKey' | 'state'> | null = null
    return await verifyDeviceJwt(token, {
      audience: options.audience,
      clockToleranceSeconds: options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
      now: options.now?.(),
      publicKeyFor: async (deviceId) => {
        device = await options.orm.em.fork().findOne(Device, { id: deviceId }, { fields: ['publicKey', 'state'] })
        return device === null ? undefined : importPublicKey(device.publicKey)
      },
      // Checked after the signature, so a forged token learns nothing about a device's state.
      isRevoked: () => device?.state === 'revoked'
    })
  }
}
