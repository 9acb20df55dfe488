// The box's MQTT link to the cloud (ARCHITECTURE §3 "MQTT"): username = device id, password = a
// fresh device JWT on every CONNECT, last will `offline` on the retained state topic, reconnects
// with jittered exponential backoff, telemetry on a timer, the retained desired config and
// commands in, command results out.
import mqtt, { type MqttClient } from 'mqtt'
import type { Logger } from 'pino'
import { Command, type CommandResult, DesiredConfig, MAX_PAYLOAD_BYTES, Telemetry, type DeviceState } from '../../protocol/payloads.js'
import { commandResultTopic, commandsTopic, configTopic, stateTopic, telemetryTopic } from '../../protocol/topics.js'
import { check, parseJsonPayload } from '../../protocol/validate.js'
import { jitteredDelay, type Backoff } from './backoff.js'
import type { TokenSource } from './token.js'

/** What a command handler decides; `after` runs once the result is on its way (reboot, reset). */
export interface CommandOutcome {
  status: 'succeeded' | 'failed'
  message?: string
  output?: Record<string, unknown>
  after?: () => Promise<void>
}

export interface CloudLinkOptions {
  deviceId: string
  mqttUrl: string
  tokens: TokenSource
  log: Logger
  firmwareVersion: string
  /** The OpenClaw version the gateway runs, reported on the state topic. */
  gatewayVersion: () => string | undefined
  telemetryIntervalMs: number
  sampleTelemetry: () => Promise<Telemetry>
  onConfig: (config: DesiredConfig) => void
  onCommand: (command: Command) => Promise<CommandOutcome>
  backoff?: Backoff
}

export interface CloudLink {
  readonly connected: boolean
  start: () => void
  /** Says `offline` on the state topic and disconnects. */
  stop: () => Promise<void>
  publishTelemetry: () => Promise<void>
  /** Republishes the retained `online` state (after the gateway version changed). */
  publishState: () => Promise<void>
}

/** Command ids remembered to drop a QoS 1 redelivery (MQTT 3.1.1 §4.3.2 allows duplicates). */
const SEEN_COMMANDS = 256

export function createCloudLink (options: CloudLinkOptions): CloudLink {
  const { deviceId, log } = options
  const backoff = options.backoff ?? { initialMs: 1000, maxMs: 60_000 }
  let client: MqttClient | undefined
  let stopped = true
  let attempt = 0
  let retry: NodeJS.Timeout | undefined
  let telemetryTimer: NodeJS.Timeout | undefined
  const seen: string[] = []

  const publish = async (topic: string, payload: unknown, retain = false): Promise<void> => {
    await client?.publishAsync(topic, JSON.stringify(payload), { qos: topic === telemetryTopic(deviceId) ? 0 : 1, retain })
  }

  async function publishTelemetry (): Promise<void> {
    if (client?.connected !== true) return
    const sample = await options.sampleTelemetry()
    const checked = check(Telemetry, sample)
    if (!checked.ok) {
      log.error({ issue: checked.issue }, 'telemetry sample does not match the protocol; not sent')
      return
    }
    await publish(telemetryTopic(deviceId), sample)
  }

  async function publishState (): Promise<void> {
    if (client?.connected !== true) return
    const gatewayVersion = options.gatewayVersion()
    const online: DeviceState = { status: 'online', ts: Date.now(), firmwareVersion: options.firmwareVersion, ...(gatewayVersion === undefined ? {} : { gatewayVersion }) }
    await publish(stateTopic(deviceId), online, true)
  }

  async function handleCommand (payload: Buffer): Promise<void> {
    const parsed = parseJsonPayload(Command, payload, MAX_PAYLOAD_BYTES)
    const id = parsed.ok ? parsed.value.id : (JSON.parse(payload.toString()) as { id?: unknown }).id
    if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
      log.warn('command without a usable id ignored')
      return
    }
    if (seen.includes(id)) return
    seen.push(id)
    if (seen.length > SEEN_COMMANDS) seen.shift()
    const result = async (outcome: Omit<CommandResult, 'id' | 'ts'>): Promise<void> => {
      const body: CommandResult = { id, ts: Date.now(), ...outcome }
      await publish(commandResultTopic(deviceId, id), body)
    }
    if (!parsed.ok) {
      await result({ status: 'failed', message: `invalid command: ${parsed.issue.path || 'command'} ${parsed.issue.message}` })
      return
    }
    const command = parsed.value
    if (command.expiresAt < Date.now()) {
      await result({ status: 'expired', message: 'received after it expired; not run' })
      return
    }
    log.info({ commandId: id, name: command.name }, 'running command')
    let outcome: CommandOutcome
    try {
      outcome = await options.onCommand(command)
    } catch (err) {
      outcome = { status: 'failed', message: (err as Error).message.slice(0, 1024) }
    }
    const { after, ...reported } = outcome
    await result(reported)
    log.info({ commandId: id, name: command.name, status: reported.status }, 'command finished')
    await after?.()
  }

  function scheduleReconnect (): void {
    if (stopped || retry !== undefined) return
    const delay = jitteredDelay(backoff, attempt)
    attempt++
    retry = setTimeout(() => { retry = undefined; void connect() }, delay)
  }

  async function connect (): Promise<void> {
    if (stopped) return
    const password = await options.tokens.get()
    const offline: DeviceState = { status: 'offline' }
    const next = mqtt.connect(options.mqttUrl, {
      clientId: deviceId,
      username: deviceId,
      password,
      clean: true,
      keepalive: 30,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      will: { topic: stateTopic(deviceId), payload: Buffer.from(JSON.stringify(offline)), qos: 1, retain: true }
    })
    client = next
    next.on('connect', () => {
      attempt = 0
      log.info({ url: options.mqttUrl }, 'cloud link up')
      void (async () => {
        await publishState()
        await next.subscribeAsync([commandsTopic(deviceId), configTopic(deviceId)], { qos: 1 })
        await publishTelemetry()
      })().catch((err: unknown) => log.warn({ err }, 'cloud link setup failed'))
    })
    next.on('message', (topic, payload) => {
      if (topic === configTopic(deviceId)) {
        if (payload.length === 0) return
        const parsed = parseJsonPayload(DesiredConfig, payload, MAX_PAYLOAD_BYTES)
        if (parsed.ok) options.onConfig(parsed.value)
        else log.warn({ issue: parsed.issue }, 'desired config ignored: invalid')
      } else if (topic === commandsTopic(deviceId)) {
        void handleCommand(payload).catch((err: unknown) => log.error({ err }, 'command handling failed'))
      }
    })
    next.on('error', (err) => { log.warn({ err: err.message }, 'cloud link error') })
    next.on('close', () => {
      if (client !== next) return
      if (!stopped) log.info('cloud link down; reconnecting')
      next.removeAllListeners('message')
      void next.endAsync(true).catch(() => undefined)
      scheduleReconnect()
    })
  }

  return {
    get connected () { return client?.connected === true },
    start () {
      if (!stopped) return
      stopped = false
      attempt = 0
      telemetryTimer = setInterval(() => { void publishTelemetry().catch((err: unknown) => log.warn({ err }, 'telemetry failed')) }, options.telemetryIntervalMs)
      void connect().catch((err: unknown) => { log.error({ err }, 'cloud link could not start'); scheduleReconnect() })
    },
    async stop () {
      if (stopped) return
      stopped = true
      clearTimeout(retry)
      retry = undefined
      clearInterval(telemetryTimer)
      const last = client
      client = undefined
      if (last === undefined) return
      if (last.connected) {
        const offline: DeviceState = { status: 'offline', ts: Date.now() }
        await last.publishAsync(stateTopic(deviceId), JSON.stringify(offline), { qos: 1, retain: true }).catch(() => undefined)
      }
      await last.endAsync(!last.connected).catch(() => undefined)
    },
    publishTelemetry,
    publishState
  }
}
