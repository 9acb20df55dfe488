// What the devices plugin decorates on Fastify, for the routes and plugins that come after it
// (factory and owner routes, the tunnel, metrics).
import type { EntityManager } from '@mikro-orm/core'
import type { DeviceBroker } from './broker.js'
import type { Claims } from './claims.js'
import type { Commands } from './commands.js'
import type { Device } from './entities.js'
import type { Presence } from './presence.js'
import type { BatchRegistration, BatchSummary, DeviceCounts, DeviceSearch, RegistrationOutcome } from './registry.js'
import type { BrokerStats } from './stats.js'
import type { TelemetryRange, TelemetrySeries } from './telemetry-query.js'
import type { TelemetryStore } from './telemetry.js'
import type { VerifyDeviceToken } from './verifier.js'

export interface DevicesApi {
  /** The one device-JWT verifier (HTTP, MQTT, tunnel): resolves to the device id or rejects with a DeviceJwtError. */
  verifyToken: VerifyDeviceToken
  find: (deviceId: string) => Promise<Device | null>
  /** Rejects with DEVICE_NOT_FOUND. */
  get: (deviceId: string) => Promise<Device>
  listOwnedBy: (userId: string) => Promise<Device[]>
  /** Every box with an owner (revoked ones included): id, owner and lifecycle state only. */
  listClaimed: () => Promise<Array<Pick<Device, 'id' | 'ownerId' | 'state'>>>
  /** Calls `listener` after a box's owner changes or it is revoked or restored; returns the unsubscribe function. */
  onChange: (listener: (deviceId: string) => void) => () => void
  search: (query: DeviceSearch) => Promise<{ devices: Device[], total: number }>
  /** Connected now, to this process (at once) or to any node (through the registry). */
  isOnline: (device: Pick<Device, 'id' | 'connected'>) => boolean
  claims: Claims
  registerBatch: (input: BatchRegistration, em?: EntityManager) => Promise<RegistrationOutcome>
  getBatch: (batchId: string) => Promise<BatchSummary>
  /** Refuses the box from now on and ends its MQTT session (and, through onChange, its tunnel). */
  revoke: (deviceId: string) => Promise<void>
  restore: (deviceId: string) => Promise<void>
  commands: Commands
  telemetry: Pick<TelemetryStore, 'latest' | 'flush' | 'prune'> & { query: (deviceId: string, range: TelemetryRange) => Promise<TelemetrySeries> }
  presence: Pick<Presence, 'flush'>
  broker: Pick<DeviceBroker, 'port' | 'tlsPort' | 'connections' | 'isConnected' | 'isSubscribed' | 'publish'>
  stats: BrokerStats
  /** Boxes by lifecycle state, and how many are connected (to any server node). */
  count: () => Promise<DeviceCounts>
}

declare module 'fastify' {
  interface FastifyInstance {
    devices: DevicesApi
  }
  interface FastifyRequest {
    /** The box a device-JWT route was called by (set by `requireDevice`), else null. */
    deviceId: string | null
  }
}
