// Request and response schemas of the devices plugin's HTTP routes, and the views that fill them.
import Type, { type Static } from 'typebox'
import { DEVICE_ID_PATTERN } from '../../protocol/device-id.js'
import { COMMAND_NAMES, DesiredConfig } from '../../protocol/payloads.js'
import { boxSlug } from '../../protocol/tunnel.js'
import { instanceUrl, type Config } from '../../server/config.js'
import { DEVICE_STATES, type Device, type DeviceCommand, type LatestTelemetry } from './entities.js'
import { MAX_POINTS } from './telemetry-query.js'

const Timestamp = Type.String({ format: 'date-time' })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])

export const DeviceParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })
export const CommandParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), cmdId: Type.String({ minLength: 1, maxLength: 64 }) })
export const BatchParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })

export const DeviceView = Type.Object({
  id: Type.String(),
  model: Type.String(),
  state: Type.String({ description: 'registered, online (has connected, unclaimed), claimed or revoked' }),
  online: Type.Boolean({ description: 'Connected to the broker right now' }),
  lastSeenAt: Nullable(Timestamp),
  firmwareVersion: Nullable(Type.String()),
  gatewayVersion: Nullable(Type.String()),
  claimedAt: Nullable(Timestamp),
  url: Nullable(Type.String({ description: 'Where the owner opens the box\'s OpenClaw through its tunnel (`<scheme>://ocb-….<APPS_DOMAIN>`), while it is claimed' }))
})

export const DeviceDetailView = Type.Intersect([DeviceView, Type.Object({
  telemetry: Nullable(Type.Object({ ts: Timestamp, receivedAt: Timestamp, data: Type.Record(Type.String(), Type.Unknown()) }))
})])

export const AdminDeviceView = Type.Intersect([DeviceView, Type.Object({
  batchId: Type.String(),
  ownerId: Nullable(Type.String()),
  createdAt: Timestamp,
  claimFailures: Type.Integer(),
  claimLockedUntil: Nullable(Timestamp)
})])

/** The URL of a claimed box (its slug under APPS_DOMAIN, protocol/tunnel.ts); null while unclaimed. */
export function boxUrl (config: Pick<Config, 'publicUrl' | 'appsDomain'>, device: Pick<Device, 'id' | 'ownerId'>): string | null {
  return device.ownerId == null ? null : instanceUrl(config, boxSlug(device.id))
}

export function viewDevice (device: Device, online: boolean, url: string | null): Static<typeof DeviceView> {
  return {
    id: device.id,
    model: device.model,
    state: device.state,
    online,
    lastSeenAt: device.lastSeenAt?.toISOString() ?? null,
    firmwareVersion: device.firmwareVersion ?? null,
    gatewayVersion: device.gatewayVersion ?? null,
    claimedAt: device.claimedAt?.toISOString() ?? null,
    url
  }
}

export function viewLatest (latest: LatestTelemetry | null): Static<typeof DeviceDetailView>['telemetry'] {
  return latest === null ? null : { ts: latest.ts.toISOString(), receivedAt: latest.receivedAt.toISOString(), data: latest.data }
}

export function viewAdminDevice (device: Device, online: boolean, url: string | null): Static<typeof AdminDeviceView> {
  return {
    ...viewDevice(device, online, url),
    batchId: device.batchId,
    ownerId: device.ownerId ?? null,
    createdAt: device.createdAt.toISOString(),
    claimFailures: device.claimFailures,
    claimLockedUntil: device.claimLockedUntil?.toISOString() ?? null
  }
}

export const CommandView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  params: Type.Record(Type.String(), Type.Unknown()),
  state: Type.String({ description: 'pending, delivered, succeeded, failed or expired' }),
  createdAt: Timestamp,
  expiresAt: Timestamp,
  deliveredAt: Nullable(Timestamp),
  completedAt: Nullable(Timestamp),
  message: Nullable(Type.String()),
  output: Nullable(Type.Record(Type.String(), Type.Unknown()))
})

export function viewCommand (command: DeviceCommand): Static<typeof CommandView> {
  return {
    id: command.id,
    name: command.name,
    params: command.params,
    state: command.state,
    createdAt: command.createdAt.toISOString(),
    expiresAt: command.expiresAt.toISOString(),
    deliveredAt: command.deliveredAt?.toISOString() ?? null,
    completedAt: command.completedAt?.toISOString() ?? null,
    message: command.message ?? null,
    output: command.output ?? null
  }
}

export const NewCommandBody = Type.Object({
  name: Type.Union(COMMAND_NAMES.map((name) => Type.Literal(name))),
  params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  ttlSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 * 86_400, description: 'Default: COMMAND_TTL_SECONDS' }))
}, { additionalProperties: false })

export const CommandsQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) })

export const TelemetryQuery = Type.Object({
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Default: 24 hours before `to`' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'Default: now' })),
  step: Type.Optional(Type.Integer({ minimum: 1, description: `Seconds per point; default: a step giving about 300 points (at most ${MAX_POINTS})` }))
})

const TelemetryPoint = Type.Object({
  ts: Timestamp,
  samples: Type.Integer(),
  cpuPercent: Type.Number(),
  memoryUsedBytes: Type.Number(),
  memoryTotalBytes: Type.Number(),
  diskUsedBytes: Type.Number(),
  diskTotalBytes: Type.Number(),
  temperatureC: Nullable(Type.Number()),
  gatewayStatus: Type.String(),
  gatewayRestarts: Type.Integer(),
  rxBytes: Nullable(Type.Number()),
  txBytes: Nullable(Type.Number())
})
export const TelemetrySeriesView = Type.Object({ from: Timestamp, to: Timestamp, stepSeconds: Type.Integer(), points: Type.Array(TelemetryPoint) })

export const ClaimBody = Type.Object({
  deviceId: Type.String({ minLength: 1, maxLength: 64, description: 'As printed on the label (any case)' }),
  code: Type.String({ minLength: 1, maxLength: 64, description: 'Claim code as printed on the label, e.g. ABCDE-FGHJK' })
}, { additionalProperties: false })

export const TransferBody = Type.Object({
  email: Type.String({ format: 'email', maxLength: 320, description: 'Account that becomes the owner' })
}, { additionalProperties: false })

export const AdminDevicesQuery = Type.Object({
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Part of a device id' })),
  state: Type.Optional(Type.Union(DEVICE_STATES.map((state) => Type.Literal(state)))),
  batchId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  ownerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 }))
})

export const BatchOutcomeView = Type.Object({
  batchId: Type.String(),
  created: Type.Array(Type.String()),
  unchanged: Type.Array(Type.String()),
  conflicting: Type.Array(Type.Object({ deviceId: Type.String(), reason: Type.String() }))
})

export const BatchSummaryView = Type.Object({
  batchId: Type.String(),
  model: Type.String(),
  createdAt: Timestamp,
  devices: Type.Integer(),
  states: Type.Record(Type.String(), Type.Integer())
})

export const DeviceStatusView = Type.Object({
  deviceId: Type.String({ pattern: DEVICE_ID_PATTERN.source }),
  model: Type.String(),
  state: Type.String(),
  claimed: Type.Boolean(),
  config: DesiredConfig
})

export function viewDeviceStatus (device: Device, config: DesiredConfig): Static<typeof DeviceStatusView> {
  return { deviceId: device.id, model: device.model, state: device.state, claimed: device.ownerId != null, config }
}
