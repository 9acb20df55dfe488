// Shared setup for the devices tests: an app with the devices plugin (and the oauth plugin it needs) and its broker on port 0,
// boxes registered with keys generated here, device JWTs signed with protocol's signer.
import type { FastifyInstance } from 'fastify'
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import type { KeyObject } from 'node:crypto'
import type { Test } from 'tap'
import { generateDeviceId } from '../../protocol/device-id.js'
import { signDeviceJwt } from '../../protocol/device-jwt.js'
import { exportPublicKeyRaw, generateDeviceKeyPair } from '../../protocol/device-keys.js'
import { hashClaimCode, generateClaimCode } from '../../protocol/claim-code.js'
import type { DesiredConfig, Telemetry } from '../../protocol/payloads.js'
import { configTopic } from '../../protocol/topics.js'
import type { ConfigInput } from '../../server/config.js'
import type { Dialect } from '../../server/db.js'
import { devices } from '../../plugins/devices/index.js'
import { buildAuthApp } from '../helpers/auth.js'
import { writeCredentials, type TestCredentials } from '../helpers/box.js'
import { freePort } from '../helpers/process.js'
export { until as waitFor } from '../helpers/wait.js'

export async function startDevicesApp (t: Test, options: { dialect?: Dialect, config?: Partial<ConfigInput> } = {}): Promise<FastifyInstance> {
  const app = await buildAuthApp(t, {
    installed: [devices],
    dialect: options.dialect,
    config: { mqttHost: '127.0.0.1', mqttPort: 0, ...options.config }
  })
  await app.ready()
  return app
}

/** Listening on a real port with PUBLIC_URL its address, as the issuer must be for a browser (device-flow claims). */
export async function listenDevicesApp (t: Test, config: Partial<ConfigInput> = {}): Promise<{ app: FastifyInstance, origin: string }> {
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const app = await startDevicesApp(t, { config: { publicUrl: origin, port, ...config } })
  await app.listen({ host: '127.0.0.1', port })
  return { app, origin }
}

export interface Box {
  id: string
  privateKey: KeyObject
  token: (options?: { ttlSeconds?: number, now?: Date, privateKey?: KeyObject, audience?: string }) => Promise<string>
}

// One claim-code hash serves every test box: scrypt per box would only slow the tests down.
let sharedHash: Promise<string> | undefined
const claimCodeHash = (): Promise<string> => (sharedHash ??= hashClaimCode(generateClaimCode()))

/** Registers `count` boxes in one batch through the service the factory route will call. */
export async function registerBoxes (app: FastifyInstance, count: number, batchId = `batch-${generateDeviceId().slice(4)}`): Promise<Box[]> {
  const hash = await claimCodeHash()
  const made = Array.from({ length: count }, () => ({ id: generateDeviceId(), ...generateDeviceKeyPair() }))
  await app.devices.registerBatch({
    batchId,
    model: 'box-1',
    devices: made.map((box) => ({ deviceId: box.id, publicKey: exportPublicKeyRaw(box.publicKey), claimCodeHash: hash }))
  })
  return made.map((box) => ({ id: box.id, privateKey: box.privateKey, token: boxToken(app, box.id, box.privateKey) }))
}

function boxToken (app: FastifyInstance, deviceId: string, privateKey: KeyObject): Box['token'] {
  return async (options = {}) => await signDeviceJwt({
    deviceId,
    privateKey: options.privateKey ?? privateKey,
    audience: options.audience ?? app.config.publicUrl,
    ttlSeconds: options.ttlSeconds,
    now: options.now
  })
}

/** One box with its own label claim code, as the factory makes it. */
export async function registerClaimableBox (app: FastifyInstance): Promise<Box & { code: string }> {
  const code = generateClaimCode()
  const keys = generateDeviceKeyPair()
  const id = generateDeviceId()
  await app.devices.registerBatch({ batchId: `batch-${id.slice(4)}`, model: 'box-1', devices: [{ deviceId: id, publicKey: exportPublicKeyRaw(keys.publicKey), claimCodeHash: await hashClaimCode(code) }] })
  return { id, code, privateKey: keys.privateKey, token: boxToken(app, id, keys.privateKey) }
}

export function mqttUrl (app: FastifyInstance): string {
  return `mqtt://127.0.0.1:${app.devices.broker.port}`
}

/**
 * A factory credential file for a simulated box (in `dir`), its box registered with `app` as the
 * factory registers a batch, pointing at `app` unless `serverUrl` says otherwise.
 */
export async function registeredBoxCredentials (app: FastifyInstance, dir: string, serverUrl = app.config.publicUrl): Promise<TestCredentials & { claimCode: string }> {
  const written = await writeCredentials(dir, { serverUrl, mqttUrl: mqttUrl(app) })
  const { credentials } = written
  const claimCode = generateClaimCode()
  await app.devices.registerBatch({
    batchId: credentials.batchId,
    model: credentials.model,
    devices: [{ deviceId: credentials.deviceId, publicKey: credentials.publicKey, claimCodeHash: await hashClaimCode(claimCode) }]
  })
  return { ...written, claimCode }
}

/** Connects a box with mqtt.js; rejects with the CONNACK refusal. No automatic reconnects. */
export async function connectBox (app: FastifyInstance, box: Box, options: IClientOptions = {}): Promise<MqttClient> {
  return await mqtt.connectAsync(mqttUrl(app), {
    clientId: box.id,
    username: box.id,
    password: await box.token(),
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...options
  })
}

/** A connected box that records every desired config it is sent. */
export async function configListener (app: FastifyInstance, box: Box): Promise<{ client: MqttClient, configs: DesiredConfig[], latest: () => DesiredConfig | undefined }> {
  const configs: DesiredConfig[] = []
  const client = await connectBox(app, box)
  client.on('message', (topic, payload) => { if (topic === configTopic(box.id)) configs.push(JSON.parse(payload.toString()) as DesiredConfig) })
  await client.subscribeAsync(configTopic(box.id), { qos: 1 })
  return { client, configs, latest: () => configs.reduce<DesiredConfig | undefined>((newest, c) => newest === undefined || c.version > newest.version ? c : newest, undefined) }
}

export async function closeClient (client: MqttClient): Promise<void> {
  await client.endAsync(true)
}

export function telemetry (overrides: Partial<Telemetry> = {}): Telemetry {
  return {
    ts: Date.now(),
    cpu: { percent: 12.5 },
    memory: { usedBytes: 512 * 1024 * 1024, totalBytes: 2048 * 1024 * 1024 },
    disk: { usedBytes: 4e9, totalBytes: 32e9 },
    temperatureC: 48,
    gateway: { status: 'running', restarts: 0 },
    ...overrides
  }
}
