// The one device-JWT verifier (ARCHITECTURE §3 "Device identity"), shared by MQTT, HTTP and the
// tunnel: protocol's signature/audience/lifetime checks, the public key from the registry, and
// revocation. A database leak leaks no device secret: only public keys are stored.
//
// Every verification reads the device's key and state from the database, so a revocation refuses
// the very next token on every node. The reads of verifications that start together (a fleet
// reconnecting after an outage) are gathered into one query; imported keys are kept, since a
// device id's public key never changes once registered.
import type { MikroORM } from '@mikro-orm/core'
import type { KeyObject } from 'node:crypto'
import { DEFAULT_CLOCK_TOLERANCE_SECONDS, verifyDeviceJwt } from '../../protocol/device-jwt.js'
import { importPublicKey } from '../../protocol/device-keys.js'
import type { Device } from './entities.js'
import { gather } from './gather.js'

export interface VerifierOptions {
  orm: MikroORM
  /** The `aud` every device token must carry: the server URL the box was made for (PUBLIC_URL). */
  audience: string
  clockToleranceSeconds?: number
  now?: () => Date
}

/** Resolves to the device id, or rejects with protocol's DeviceJwtError (its `code` says why). */
export type VerifyDeviceToken = (token: string) => Promise<string>

type StoredDevice = Pick<Device, 'id' | 'publicKey' | 'state'>
interface DeviceRow { id: string, public_key: string, state: Device['state'] }

// Bounds the imported-key cache; past it the oldest keys are imported again when next needed.
const MAX_CACHED_KEYS = 100_000

export function createDeviceVerifier (options: VerifierOptions): VerifyDeviceToken {
  // Plain SQL: through the entity manager this read cost ~300 µs of CPU (query building, entity
  // bookkeeping), as SQL ~30 µs. It matters because a fleet's connects seldom arrive in the same
  // turn of the event loop (the bench gathered one or two per query).
  const loadDevice = gather(async (ids) => {
    const rows = await options.orm.em.getConnection().execute('select id, public_key, state from devices where id in (?)', [ids]) as DeviceRow[]
    return new Map(rows.map((row): [string, StoredDevice] => [row.id, { id: row.id, publicKey: row.public_key, state: row.state }]))
  })
  const keys = new Map<string, KeyObject>()
  const keyOf = (encoded: string): KeyObject => {
    let key = keys.get(encoded)
    if (key === undefined) {
      if (keys.size >= MAX_CACHED_KEYS) keys.delete(keys.keys().next().value!)
      key = importPublicKey(encoded)
      keys.set(encoded, key)
    }
    return key
  }

  return async (token) => {
    let device: StoredDevice | null = null
    return await verifyDeviceJwt(token, {
      audience: options.audience,
      clockToleranceSeconds: options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
      now: options.now?.(),
      publicKeyFor: async (deviceId) => {
        device = await loadDevice(deviceId) ?? null
        return device === null ? undefined : keyOf(device.publicKey)
      },
      // Checked after the signature, so a forged token learns nothing about a device's state.
      isRevoked: () => device?.state === 'revoked'
    })
  }
}
