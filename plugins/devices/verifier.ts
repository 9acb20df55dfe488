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

type StoredDevice = Pick<Device, 'id' | 'publicKey' | 'state'>

// Bounds the imported-key cache; past it the oldest keys are imported again when next needed.
const MAX_CACHED_KEYS = 100_000
// Ids per lookup: well under SQLite's bound-parameter limit.
const IDS_PER_QUERY = 500

/** Loads devices by id, one query for all the lookups asked for in the same turn of the event loop. */
function createDeviceLoader (orm: MikroORM): (deviceId: string) => Promise<StoredDevice | null> {
  let waiting = new Map<string, Array<{ resolve: (device: StoredDevice | null) => void, reject: (err: unknown) => void }>>()

  async function load (batch: typeof waiting): Promise<void> {
    const ids = [...batch.keys()]
    try {
      const found = new Map<string, StoredDevice>()
      for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
        const devices = await orm.em.fork().find(Device, { id: { $in: ids.slice(i, i + IDS_PER_QUERY) } }, { fields: ['id', 'publicKey', 'state'] })
        for (const device of devices) found.set(device.id, device)
      }
      for (const [id, waiters] of batch) for (const waiter of waiters) waiter.resolve(found.get(id) ?? null)
    } catch (err) {
      for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(err)
    }
  }

  return (deviceId) => new Promise((resolve, reject) => {
    if (waiting.size === 0) {
      setImmediate(() => {
        const batch = waiting
        waiting = new Map()
        void load(batch)
      })
    }
    const waiters = waiting.get(deviceId)
    if (waiters === undefined) waiting.set(deviceId, [{ resolve, reject }])
    else waiters.push({ resolve, reject })
  })
}

export function createDeviceVerifier (options: VerifierOptions): VerifyDeviceToken {
  const loadDevice = createDeviceLoader(options.orm)
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
        device = await loadDevice(deviceId)
        return device === null ? undefined : keyOf(device.publicKey)
      },
      // Checked after the signature, so a forged token learns nothing about a device's state.
      isRevoked: () => device?.state === 'revoked'
    })
  }
}
