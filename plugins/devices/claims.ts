// Ownership of boxes (ARCHITECTURE §3 "Claiming a box"): claiming with the label code, releasing,
// transferring, and the box's own factory reset. Every change raises the box's config version and
// publishes its desired config, retained on `devices/{id}/config`, so the box learns it over MQTT.
//
// Guessing is bounded twice: per client address by the route's rate limit, and per box here — after
// `maxFailures` wrong codes in a row the box refuses claims for a while (doubling, like the login
// lockout), counted in the database so every server process and restart sees the same count.
import { raw, type EntityManager, type FilterQuery, type MikroORM } from '@mikro-orm/core'
import type { FastifyBaseLogger } from 'fastify'
import { hashClaimCode, verifyClaimCode } from '../../protocol/claim-code.js'
import { normaliseDeviceId } from '../../protocol/device-id.js'
import type { DesiredConfig } from '../../protocol/payloads.js'
import { ownerGatewaySettings } from '../../server/gateway-config.js'
import { Device, DeviceCommand } from './entities.js'
import { AlreadyClaimed, ClaimLocked, DeviceNotFound, DeviceRevoked, InvalidClaimCode } from './errors.js'

const MAX_DOUBLINGS = 6

export interface ClaimsOptions {
  orm: MikroORM
  log: FastifyBaseLogger
  /** Publishes the box's desired config, retained (MQTT 3.1.1 §3.3.1.3). */
  publishConfig: (deviceId: string, config: DesiredConfig) => Promise<void>
  /** Whether the box holds an MQTT connection to this node now. */
  isConnected: (deviceId: string) => boolean
  maxFailures: number
  lockoutWindowMs: number
  /** The OpenClaw version every box should run (`gateway.version`). */
  gatewayVersion: string
  /** The owner's identity as the router sends it in `x-forwarded-user`; undefined for an unknown user. */
  ownerIdentity: (ownerId: string) => Promise<string | undefined>
  /** The claimed box's URL, the origin its Control UI is opened from. */
  boxUrl: (device: Pick<Device, 'id' | 'ownerId'>) => string | null
  now?: () => Date
}

export interface Claims {
  /** Claims an unowned box for `userId` with its label code; claiming your own box again is a no-op. */
  claimWithCode: (userId: string, deviceId: string, code: string) => Promise<Device>
  /**
   * Seam for the device authorization grant (RFC 8628, the authorization server's plugin): once the
   * owner approves a box's user code, that plugin calls this. The code proof is the approval itself.
   */
  claimApprovedByDeviceFlow: (userId: string, deviceId: string) => Promise<Device>
  /** The owner gives the box up; it becomes claimable again with its label code. */
  release: (userId: string, deviceId: string) => Promise<Device>
  transfer: (fromUserId: string, deviceId: string, toUserId: string) => Promise<Device>
  /** The box itself (device-JWT authenticated) was reset to factory state: it has no owner any more. */
  factoryReset: (deviceId: string) => Promise<Device>
  desiredConfig: (device: Pick<Device, 'id' | 'configVersion' | 'ownerId'>) => Promise<DesiredConfig>
  /** Sends the box its current desired config (after it subscribes, since the broker may have restarted). */
  publishCurrent: (deviceId: string) => Promise<void>
}

export function createClaims (options: ClaimsOptions): Claims {
  const now = options.now ?? (() => new Date())
  const em = (): EntityManager => options.orm.em.fork()
  // Unknown ids are checked against this, so they take as long as a real wrong code.
  const decoyHash = hashClaimCode('00000-00000')

  /**
   * A claimed box's gateway lets in its owner (with admin for the session) from the box's URL, the
   * same settings the tenants plugin writes for a container; a box without an owner gets none.
   */
  const desiredConfig: Claims['desiredConfig'] = async (device) => {
    const gateway: NonNullable<DesiredConfig['gateway']> = { version: options.gatewayVersion }
    if (device.ownerId == null) return { version: device.configVersion, claim: { claimed: false }, gateway }
    const owner = await options.ownerIdentity(device.ownerId)
    const url = options.boxUrl(device)
    if (owner !== undefined && url !== null) gateway.settings = { gateway: ownerGatewaySettings(owner, url) }
    return { version: device.configVersion, claim: { claimed: true, owner: device.ownerId }, gateway }
  }

  const publish = async (device: Device): Promise<Device> => {
    await desiredConfig(device).then((config) => options.publishConfig(device.id, config)).catch((err: unknown) => {
      // The database holds the truth; the box gets it on its next subscribe (publishCurrent).
      options.log.error({ err, deviceId: device.id }, 'publishing desired config failed')
    })
    return device
  }

  /**
   * Moves ownership in one conditional UPDATE, so two claims racing for one box cannot both win.
   * Pending commands of the previous owner expire: they must not run for the next one.
   */
  async function changeOwner (deviceId: string, where: FilterQuery<Device> & object, ownerId: string | null): Promise<Device | null> {
    const fork = em()
    const at = now()
    const changed = await fork.transactional(async (tx) => {
      // Read without the identity map: the commit must not write this stale copy back over the update.
      const device = await tx.findOne(Device, { id: deviceId, ...where }, { disableIdentityMap: true })
      if (device === null) return null
      const updated = await tx.nativeUpdate(Device, { id: deviceId, configVersion: device.configVersion, ...where }, {
        ownerId,
        claimedAt: ownerId === null ? null : at,
        state: device.state === 'revoked' ? 'revoked' : ownerId !== null ? 'claimed' : device.lastSeenAt == null && !options.isConnected(deviceId) ? 'registered' : 'online',
        configVersion: raw('config_version + 1'),
        claimFailures: 0,
        claimLockedUntil: null,
        updatedAt: at
      })
      if (updated === 0) return null
      await tx.nativeUpdate(DeviceCommand, { deviceId, state: 'pending' }, { state: 'expired', completedAt: at, message: 'the box changed owner before it received this command' })
      return true
    })
    if (changed === null) return null
    return await publish(await em().findOneOrFail(Device, { id: deviceId }))
  }

  async function assign (userId: string, device: Device): Promise<Device> {
    if (device.state === 'revoked') throw new DeviceRevoked()
    if (device.ownerId === userId) return device
    if (device.ownerId != null) throw new AlreadyClaimed()
    const claimed = await changeOwner(device.id, { ownerId: null, state: { $ne: 'revoked' } }, userId)
    if (claimed !== null) return claimed
    // Someone else's claim won the race between our read and our update.
    const current = await em().findOneOrFail(Device, { id: device.id })
    if (current.ownerId === userId) return current
    throw new AlreadyClaimed()
  }

  /** Counts an attempt before checking it, so a burst cannot all slip under the limit; locks the box at the limit. */
  async function countAttempt (deviceId: string): Promise<void> {
    const fork = em()
    await fork.nativeUpdate(Device, { id: deviceId }, { claimFailures: raw('claim_failures + 1') })
    const { claimFailures } = await fork.findOneOrFail(Device, { id: deviceId }, { fields: ['claimFailures'], disableIdentityMap: true })
    const over = claimFailures - options.maxFailures
    if (over < 0) return
    const lockMs = options.lockoutWindowMs * 2 ** Math.min(over, MAX_DOUBLINGS)
    await fork.nativeUpdate(Device, { id: deviceId }, { claimLockedUntil: new Date(now().getTime() + lockMs) })
    options.log.warn({ deviceId, failures: claimFailures, lockMs }, 'box locked against claims after repeated wrong codes')
  }

  return {
    async claimWithCode (userId, rawDeviceId, code) {
      const deviceId = normaliseDeviceId(rawDeviceId)
      const device = deviceId === undefined ? null : await em().findOne(Device, { id: deviceId })
      if (device === null || device.claimCodeHash == null) {
        await verifyClaimCode(code, await decoyHash)
        throw new InvalidClaimCode()
      }
      const lockedMs = (device.claimLockedUntil?.getTime() ?? 0) - now().getTime()
      if (lockedMs > 0) throw new ClaimLocked(Math.ceil(lockedMs / 1000))
      if (device.ownerId === userId) return device
      await countAttempt(device.id)
      if (!(await verifyClaimCode(code, device.claimCodeHash))) throw new InvalidClaimCode()
      // Right code: the count of wrong ones in a row starts over, whatever happens next.
      await em().nativeUpdate(Device, { id: device.id }, { claimFailures: 0, claimLockedUntil: null })
      return await assign(userId, device)
    },

    async claimApprovedByDeviceFlow (userId, deviceId) {
      const device = await em().findOne(Device, { id: deviceId })
      if (device === null) throw new DeviceNotFound(deviceId)
      return await assign(userId, device)
    },

    async release (userId, deviceId) {
      const released = await changeOwner(deviceId, { ownerId: userId }, null)
      if (released === null) throw new DeviceNotFound(deviceId)
      return released
    },

    async transfer (fromUserId, deviceId, toUserId) {
      const moved = await changeOwner(deviceId, { ownerId: fromUserId, state: 'claimed' }, toUserId)
      if (moved === null) throw new DeviceNotFound(deviceId)
      return moved
    },

    async factoryReset (deviceId) {
      const device = await em().findOneOrFail(Device, { id: deviceId })
      if (device.ownerId == null) return device
      return await changeOwner(deviceId, { ownerId: device.ownerId }, null) ?? await em().findOneOrFail(Device, { id: deviceId })
    },

    desiredConfig,

    async publishCurrent (deviceId) {
      const device = await em().findOne(Device, { id: deviceId })
      if (device !== null) await publish(device)
    }
  }
}
