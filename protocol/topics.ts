// MQTT topics (ARCHITECTURE §3 "MQTT"). A device may touch only its own `devices/{id}/...` and only
// in the directions of DEVICE_TOPIC_ACL; the broker's authorizePublish/authorizeSubscribe hooks
// call canDevicePublish / canDeviceSubscribe.
import { isDeviceId } from './device-id.js'

export const TOPIC_ROOT = 'devices'
export const COMMAND_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/

export type DeviceTopicKind = 'telemetry' | 'state' | 'commands' | 'command-result' | 'config'

export interface TopicRule {
  /** box -> cloud */
  devicePublishes: boolean
  /** cloud -> box */
  deviceSubscribes: boolean
  retained: boolean
  qos: 0 | 1
}

export const DEVICE_TOPIC_ACL: Readonly<Record<DeviceTopicKind, TopicRule>> = {
  telemetry: { devicePublishes: true, deviceSubscribes: false, retained: false, qos: 0 },
  // Retained, and the box's last will publishes `offline` here.
  state: { devicePublishes: true, deviceSubscribes: false, retained: true, qos: 1 },
  // QoS 1 so the broker keeps commands for a box that is offline (MQTT 3.1.1 §4.3.2).
  commands: { devicePublishes: false, deviceSubscribes: true, retained: false, qos: 1 },
  'command-result': { devicePublishes: true, deviceSubscribes: false, retained: false, qos: 1 },
  config: { devicePublishes: false, deviceSubscribes: true, retained: true, qos: 1 }
}

export interface DeviceTopic {
  deviceId: string
  kind: DeviceTopicKind
  commandId?: string
}

export const telemetryTopic = (deviceId: string): string => `${TOPIC_ROOT}/${deviceId}/telemetry`
export const stateTopic = (deviceId: string): string => `${TOPIC_ROOT}/${deviceId}/state`
export const commandsTopic = (deviceId: string): string => `${TOPIC_ROOT}/${deviceId}/commands`
export const configTopic = (deviceId: string): string => `${TOPIC_ROOT}/${deviceId}/config`
export function commandResultTopic (deviceId: string, commandId: string): string {
  if (!COMMAND_ID_PATTERN.test(commandId)) throw new TypeError(`not a command id: ${commandId}`)
  return `${TOPIC_ROOT}/${deviceId}/commands/${commandId}/result`
}

export function deviceTopic (topic: DeviceTopic): string {
  switch (topic.kind) {
    case 'telemetry': return telemetryTopic(topic.deviceId)
    case 'state': return stateTopic(topic.deviceId)
    case 'commands': return commandsTopic(topic.deviceId)
    case 'config': return configTopic(topic.deviceId)
    case 'command-result': return commandResultTopic(topic.deviceId, topic.commandId ?? '')
  }
}

/** Parses a concrete topic name; wildcards (`+`, `#`) never parse, so they never match an ACL. */
export function parseDeviceTopic (topic: string): DeviceTopic | undefined {
  const parts = topic.split('/')
  const [root, deviceId, kind] = parts
  if (root !== TOPIC_ROOT || !isDeviceId(deviceId)) return undefined
  if (parts.length === 3 && (kind === 'telemetry' || kind === 'state' || kind === 'commands' || kind === 'config')) {
    return { deviceId, kind }
  }
  if (parts.length === 5 && kind === 'commands' && parts[4] === 'result' && COMMAND_ID_PATTERN.test(parts[3]!)) {
    return { deviceId, kind: 'command-result', commandId: parts[3] }
  }
  return undefined
}

export function canDevicePublish (deviceId: string, topic: string): boolean {
  const parsed = parseDeviceTopic(topic)
  return parsed !== undefined && parsed.deviceId === deviceId && DEVICE_TOPIC_ACL[parsed.kind].devicePublishes
}

/** Exact filters only: a wildcard subscription could reach beyond what the table grants. */
export function canDeviceSubscribe (deviceId: string, topicFilter: string): boolean {
  const parsed = parseDeviceTopic(topicFilter)
  return parsed !== undefined && parsed.deviceId === deviceId && DEVICE_TOPIC_ACL[parsed.kind].deviceSubscribes
}
