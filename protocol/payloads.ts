// MQTT payload schemas (ARCHITECTURE §3 "MQTT"), one per topic kind. Objects accept extra fields so
// newer firmware can add telemetry without breaking an older cloud; known fields are checked.
import Type from 'typebox'
import { COMMAND_ID_PATTERN } from './topics.js'

export const MAX_PAYLOAD_BYTES = 64 * 1024

const Timestamp = Type.Integer({ minimum: 0, description: 'milliseconds since the Unix epoch' })
const Bytes = Type.Integer({ minimum: 0 })
const Usage = Type.Object({ usedBytes: Bytes, totalBytes: Bytes })

export const GatewayStatus = Type.Union([
  Type.Literal('starting'), Type.Literal('running'), Type.Literal('stopped'),
  Type.Literal('crashed'), Type.Literal('updating')
])
export type GatewayStatus = Type.Static<typeof GatewayStatus>

export const Telemetry = Type.Object({
  ts: Timestamp,
  cpu: Type.Object({ percent: Type.Number({ minimum: 0, maximum: 100 }), load1: Type.Optional(Type.Number({ minimum: 0 })) }),
  memory: Usage,
  disk: Usage,
  temperatureC: Type.Optional(Type.Number({ minimum: -60, maximum: 150 })),
  gateway: Type.Object({
    status: GatewayStatus,
    restarts: Type.Integer({ minimum: 0 }),
    version: Type.Optional(Type.String({ maxLength: 64 }))
  }),
  network: Type.Optional(Type.Object({
    interface: Type.Optional(Type.String({ maxLength: 32 })),
    rxBytes: Bytes,
    txBytes: Bytes,
    wifiRssiDbm: Type.Optional(Type.Integer({ minimum: -120, maximum: 0 }))
  }))
})
export type Telemetry = Type.Static<typeof Telemetry>

/** Retained on `devices/{id}/state`; the box's last will is `{ status: 'offline' }`. */
export const DeviceState = Type.Object({
  status: Type.Union([Type.Literal('online'), Type.Literal('offline')]),
  ts: Type.Optional(Timestamp),
  firmwareVersion: Type.Optional(Type.String({ maxLength: 64 })),
  gatewayVersion: Type.Optional(Type.String({ maxLength: 64 }))
})
export type DeviceState = Type.Static<typeof DeviceState>

/** Retained on `devices/{id}/config`: what the cloud wants the box to be. */
export const DesiredConfig = Type.Object({
  version: Type.Integer({ minimum: 0, description: 'increases with every change; the box applies only newer ones' }),
  claim: Type.Object({
    claimed: Type.Boolean(),
    owner: Type.Optional(Type.String({ maxLength: 256 })),
    instanceUrl: Type.Optional(Type.String({ format: 'uri' }))
  }),
  gateway: Type.Optional(Type.Object({
    version: Type.Optional(Type.String({ maxLength: 64 })),
    settings: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
  }))
})
export type DesiredConfig = Type.Static<typeof DesiredConfig>

/**
 * An OpenClaw release the box may install: a SemVer 2.0.0 version (OpenClaw's are calendar
 * versions such as `2026.9.6` or `2026.10.0-beta.1`). No ranges or tags (`latest`): the box must
 * know exactly which version it switches to, and the string becomes a directory name.
 */
export const GATEWAY_VERSION_PATTERN = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-(0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(\.(0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/
export const GatewayVersion = Type.String({ maxLength: 64, pattern: GATEWAY_VERSION_PATTERN.source, description: 'an exact OpenClaw version, e.g. 2026.9.6' })

export const COMMAND_NAMES = ['restart-gateway', 'update-config', 'reboot', 'factory-reset', 'upgrade-gateway', 'upload-logs'] as const
export type CommandName = typeof COMMAND_NAMES[number]

const Empty = Type.Object({})
export const CommandParams = {
  'restart-gateway': Empty,
  'update-config': Type.Object({ config: DesiredConfig }),
  reboot: Type.Object({ delaySeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })) }),
  'factory-reset': Empty,
  'upgrade-gateway': Type.Object({ version: GatewayVersion }),
  'upload-logs': Type.Object({
    uploadUrl: Type.String({ format: 'uri', maxLength: 2048 }),
    sinceSeconds: Type.Optional(Type.Integer({ minimum: 1 }))
  })
} as const satisfies Record<CommandName, unknown>

const CommandId = Type.String({ pattern: COMMAND_ID_PATTERN.source })
const commandOf = <N extends CommandName>(name: N) => Type.Object({
  id: CommandId,
  name: Type.Literal(name),
  params: CommandParams[name],
  issuedAt: Timestamp,
  /** A box that receives the command after this reports `expired` and does not run it. */
  expiresAt: Timestamp
})

/** Published by the cloud on `devices/{id}/commands` (QoS 1). */
export const Command = Type.Union([
  commandOf('restart-gateway'), commandOf('update-config'), commandOf('reboot'),
  commandOf('factory-reset'), commandOf('upgrade-gateway'), commandOf('upload-logs')
])
export type Command = Type.Static<typeof Command>

/** Published by the box on `devices/{id}/commands/{cmdId}/result`. */
export const CommandResult = Type.Object({
  id: CommandId,
  status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('expired')]),
  ts: Timestamp,
  message: Type.Optional(Type.String({ maxLength: 1024 })),
  output: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
})
export type CommandResult = Type.Static<typeof CommandResult>
