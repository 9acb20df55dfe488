// OpenClaw Boxes of the signed-in user: the list, one box, its telemetry and commands, and claiming
// a box with the code from its label (`/claim?device=&code=`, protocol/claim-code.ts). The shapes
// follow the devices plugin's entities (plugins/devices/entities.ts, telemetry-query.ts); answers
// wrapped in an object or given as a bare array are both accepted.
import { EndpointMissing, type Offers } from './capabilities.js'
import type { Http } from './http.js'

export type DeviceLifecycle = 'registered' | 'online' | 'claimed' | 'revoked'

export interface Device {
  id: string
  model: string
  state: DeviceLifecycle
  /** Connected to the broker right now. */
  online: boolean
  lastSeenAt: string | null
  firmwareVersion: string | null
  gatewayVersion: string | null
  claimedAt?: string | null
  /** Where the owner opens the box's OpenClaw (through its tunnel) while it is claimed. */
  url?: string | null
}

export interface TelemetryPoint {
  ts: string
  cpuPercent: number
  memoryUsedBytes: number
  memoryTotalBytes: number
  diskUsedBytes: number
  diskTotalBytes: number
  temperatureC: number | null
  gatewayStatus: string
}

export interface TelemetrySeries {
  from: string
  to: string
  stepSeconds: number
  points: TelemetryPoint[]
}

export type CommandState = 'pending' | 'delivered' | 'succeeded' | 'failed' | 'expired'

export interface DeviceCommand {
  id: string
  name: string
  state: CommandState
  createdAt: string
  completedAt: string | null
  message: string | null
}

/** Commands an owner may send from the console (protocol/payloads.ts COMMAND_NAMES without parameters). */
export const OWNER_COMMANDS = ['restart-gateway', 'reboot'] as const

export interface Devices {
  list: () => Promise<Device[]>
  get: (id: string) => Promise<Device>
  claim: (deviceId: string, code: string) => Promise<Device>
  telemetry: (id: string, sinceMs: number) => Promise<TelemetrySeries>
  commands: (id: string) => Promise<DeviceCommand[]>
  sendCommand: (id: string, name: typeof OWNER_COMMANDS[number]) => Promise<DeviceCommand>
}

const path = (id: string, rest = ''): string => `/api/devices/${encodeURIComponent(id)}${rest}`

function unwrap<T> (answer: T | Record<string, unknown>, key: string): T {
  return (typeof answer === 'object' && answer !== null && !Array.isArray(answer) && key in answer ? (answer as Record<string, unknown>)[key] : answer) as T
}

export function createDevices (http: Http, offers: Offers): Devices {
  /** The devices API is young: a server without an endpoint gets EndpointMissing, not a request. */
  const available = async (method: string, documented: string): Promise<void> => {
    if (!await offers(method, documented)) throw new EndpointMissing(method, documented)
  }
  return {
    async list () {
      await available('GET', '/api/devices')
      return unwrap<Device[]>(await http.get('/api/devices'), 'devices')
    },
    async get (id) {
      await available('GET', '/api/devices/{id}')
      return unwrap<Device>(await http.get(path(id)), 'device')
    },
    async claim (deviceId, code) {
      await available('POST', '/api/devices/claim')
      return unwrap<Device>(await http.post('/api/devices/claim', { deviceId, code }), 'device')
    },
    async telemetry (id, sinceMs) {
      await available('GET', '/api/devices/{id}/telemetry')
      const to = new Date()
      const from = new Date(to.getTime() - sinceMs)
      return await http.get(path(id, `/telemetry?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`))
    },
    async commands (id) {
      await available('GET', '/api/devices/{id}/commands')
      return unwrap<DeviceCommand[]>(await http.get(path(id, '/commands')), 'commands')
    },
    async sendCommand (id, name) {
      await available('POST', '/api/devices/{id}/commands')
      return unwrap<DeviceCommand>(await http.post(path(id, '/commands'), { name, params: {} }), 'command')
    }
  }
}
