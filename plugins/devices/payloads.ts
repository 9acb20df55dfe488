// What a box may publish, per topic kind, checked against protocol's schemas: size cap first, then
// JSON, then the schema (protocol/validate.ts).
import { CommandResult, DeviceState, Telemetry } from '../../protocol/payloads.js'
import type { DeviceTopic } from '../../protocol/topics.js'
import { parseJsonPayload, type SchemaIssue } from '../../protocol/validate.js'

export type DeviceMessage =
  | { deviceId: string, kind: 'telemetry', value: Telemetry }
  | { deviceId: string, kind: 'state', value: DeviceState }
  | { deviceId: string, kind: 'command-result', value: CommandResult }

export type Parsed = { ok: true, message: DeviceMessage } | { ok: false, issue: SchemaIssue }

export function parseDeviceMessage (topic: DeviceTopic, payload: Buffer, maxBytes: number): Parsed {
  const { deviceId } = topic
  switch (topic.kind) {
    case 'telemetry': {
      const checked = parseJsonPayload(Telemetry, payload, maxBytes)
      return checked.ok ? { ok: true, message: { deviceId, kind: 'telemetry', value: checked.value } } : checked
    }
    case 'state': {
      const checked = parseJsonPayload(DeviceState, payload, maxBytes)
      return checked.ok ? { ok: true, message: { deviceId, kind: 'state', value: checked.value } } : checked
    }
    case 'command-result': {
      const checked = parseJsonPayload(CommandResult, payload, maxBytes)
      if (!checked.ok) return checked
      if (checked.value.id !== topic.commandId) return { ok: false, issue: { path: '/id', message: 'must equal the command id in the topic' } }
      return { ok: true, message: { deviceId, kind: 'command-result', value: checked.value } }
    }
    default:
      return { ok: false, issue: { path: '', message: `boxes do not publish on ${topic.kind}` } }
  }
}
