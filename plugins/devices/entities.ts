// The devices plugin's tables: the box registry (devices, batches), commands, and telemetry
// (latest sample per box plus a time series pruned after TELEMETRY_RETENTION_DAYS).
import { BigIntType, EntitySchema } from '@mikro-orm/core'

/**
 * Lifecycle of a box: `registered` (pre-registered by the factory, never connected), `online`
 * (has authenticated at least once, unclaimed), `claimed` (has an owner), `revoked` (refused
 * everywhere). Whether it is connected right now is `connected`, apart from the lifecycle.
 */
export const DEVICE_STATES = ['registered', 'online', 'claimed', 'revoked'] as const
export type DeviceLifecycle = typeof DEVICE_STATES[number]

export class Device {
  id!: string
  model!: string
  /** Ed25519 public key, base64url raw (32 bytes) or SPKI PEM. */
  publicKey!: string
  batchId!: string
  state: DeviceLifecycle = 'registered'
  ownerId?: string | null
  connected = false
  lastSeenAt?: Date | null
  firmwareVersion?: string | null
  gatewayVersion?: string | null
  /**
   * scrypt hash of the label claim code (protocol/claim-code.ts). Kept after a claim: the code is
   * refused while the box is claimed and works again once the owner releases it or the box is reset,
   * because the label is the one code the box will ever carry.
   */
  claimCodeHash?: string | null
  claimedAt?: Date | null
  /** Wrong claim codes in a row; at `claimMaxFailures` the box refuses claims until `claimLockedUntil`. */
  claimFailures = 0
  claimLockedUntil?: Date | null
  /** Version of the desired config retained on `devices/{id}/config`; raised by every ownership change. */
  configVersion = 0
  createdAt: Date = new Date()
  updatedAt: Date = new Date()
}

export const DeviceSchema = new EntitySchema<Device>({
  class: Device,
  tableName: 'devices',
  properties: {
    id: { type: 'string', primary: true, length: 20 },
    model: { type: 'string', length: 64 },
    publicKey: { type: 'text' },
    batchId: { type: 'string', length: 64, index: true },
    state: { type: 'string', length: 16, index: true },
    ownerId: { type: 'string', length: 64, nullable: true, index: true },
    connected: { type: 'boolean' },
    lastSeenAt: { type: 'datetime', nullable: true },
    firmwareVersion: { type: 'string', length: 64, nullable: true },
    gatewayVersion: { type: 'string', length: 64, nullable: true },
    claimCodeHash: { type: 'text', nullable: true },
    claimedAt: { type: 'datetime', nullable: true },
    claimFailures: { type: 'integer', default: 0 },
    claimLockedUntil: { type: 'datetime', nullable: true },
    configVersion: { type: 'integer', default: 0 },
    createdAt: { type: 'datetime' },
    updatedAt: { type: 'datetime', onUpdate: () => new Date() }
  }
})

export class Batch {
  id!: string
  model!: string
  createdAt: Date = new Date()
}

export const BatchSchema = new EntitySchema<Batch>({
  class: Batch,
  tableName: 'device_batches',
  properties: {
    id: { type: 'string', primary: true, length: 64 },
    model: { type: 'string', length: 64 },
    createdAt: { type: 'datetime' }
  }
})

export const COMMAND_STATES = ['pending', 'delivered', 'succeeded', 'failed', 'expired'] as const
export type CommandState = typeof COMMAND_STATES[number]

export class DeviceCommand {
  id!: string
  deviceId!: string
  name!: string
  params!: Record<string, unknown>
  state: CommandState = 'pending'
  createdAt: Date = new Date()
  expiresAt!: Date
  deliveredAt?: Date | null
  completedAt?: Date | null
  message?: string | null
  output?: Record<string, unknown> | null
}

export const DeviceCommandSchema = new EntitySchema<DeviceCommand>({
  class: DeviceCommand,
  tableName: 'device_commands',
  indexes: [{ properties: ['deviceId', 'state'] }],
  properties: {
    id: { type: 'string', primary: true, length: 64 },
    deviceId: { type: 'string', length: 20 },
    name: { type: 'string', length: 32 },
    params: { type: 'json' },
    state: { type: 'string', length: 16 },
    createdAt: { type: 'datetime' },
    expiresAt: { type: 'datetime' },
    deliveredAt: { type: 'datetime', nullable: true },
    completedAt: { type: 'datetime', nullable: true },
    message: { type: 'text', nullable: true },
    output: { type: 'json', nullable: true }
  }
})

/** The most recent telemetry message of a box, as received. */
export class LatestTelemetry {
  deviceId!: string
  ts!: Date
  receivedAt!: Date
  data!: Record<string, unknown>
}

export const LatestTelemetrySchema = new EntitySchema<LatestTelemetry>({
  class: LatestTelemetry,
  tableName: 'device_telemetry_latest',
  properties: {
    deviceId: { type: 'string', primary: true, length: 20 },
    ts: { type: 'datetime' },
    receivedAt: { type: 'datetime' },
    data: { type: 'json' }
  }
})

/** One row of the telemetry time series: the numeric fields charts are drawn from. */
export class TelemetrySample {
  deviceId!: string
  ts!: Date
  cpuPercent!: number
  memoryUsedBytes!: number
  memoryTotalBytes!: number
  diskUsedBytes!: number
  diskTotalBytes!: number
  temperatureC?: number | null
  gatewayStatus!: string
  gatewayRestarts!: number
  rxBytes?: number | null
  txBytes?: number | null
}

const bytes = { type: new BigIntType('number') }

export const TelemetrySampleSchema = new EntitySchema<TelemetrySample>({
  class: TelemetrySample,
  tableName: 'device_telemetry',
  // Keyed by the box's own sample time: a QoS 1 redelivery of the same sample is stored once.
  indexes: [{ properties: ['ts'] }],
  properties: {
    deviceId: { type: 'string', length: 20, primary: true },
    ts: { type: 'datetime', primary: true },
    cpuPercent: { type: 'double' },
    memoryUsedBytes: bytes,
    memoryTotalBytes: bytes,
    diskUsedBytes: bytes,
    diskTotalBytes: bytes,
    temperatureC: { type: 'double', nullable: true },
    gatewayStatus: { type: 'string', length: 16 },
    gatewayRestarts: { type: 'integer' },
    rxBytes: { ...bytes, nullable: true },
    txBytes: { ...bytes, nullable: true }
  }
})

export const devicesEntities = [DeviceSchema, BatchSchema, DeviceCommandSchema, LatestTelemetrySchema, TelemetrySampleSchema]
