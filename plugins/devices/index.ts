// The devices plugin: box registry, the device-JWT verifier, the embedded MQTT broker with its ACL,
// presence, telemetry, commands and ownership (claims), and their HTTP API: factory, owner, admin
// and the box's own device-JWT routes (routes/).
import fp from 'fastify-plugin'
import { EventEmitter } from 'node:events'
import { readFile } from 'node:fs/promises'
import { databaseTarget } from '../../server/db.js'
import type { ServerPlugin } from '../../server/plugins.js'
import { StartupError } from '../../server/startup-error.js'
import { commandsTopic, configTopic } from '../../protocol/topics.js'
import { User } from '../oauth/entities.js'
import { createAcl } from './acl.js'
import { createAuthenticate } from './auth.js'
import { MQTT_WEBSOCKET_PATH, startBroker, type DeviceBroker } from './broker.js'
import { createClaims } from './claims.js'
import { createCommands } from './commands.js'
import { createDeviceFlow } from './device-flow.js'
import { Device, devicesEntities } from './entities.js'
import type { DeviceMessage } from './payloads.js'
import { createPresence } from './presence.js'
import { countDevices, getBatch, getDevice, registerBatch, restoreDevice, revokeDevice, searchDevices } from './registry.js'
import { adminRoutes } from './routes/admin.js'
import { deviceRoutes } from './routes/device.js'
import { deviceFlowRoutes } from './routes/device-flow.js'
import { factoryRoutes } from './routes/factory.js'
import { ownerRoutes } from './routes/owner.js'
import { boxUrl } from './schemas.js'
import { createBrokerStats } from './stats.js'
import { queryTelemetry } from './telemetry-query.js'
import { createTelemetryStore } from './telemetry.js'
import { createDeviceVerifier } from './verifier.js'
import './types.js'

/** The IANA port for MQTT, used unless MQTT_PORT says otherwise. */
const DEFAULT_MQTT_PORT = 1883

const devicesPlugin = fp(async function devices (app) {
  const { config, orm } = app
  const log = app.log.child({ plugin: 'devices' })
  const stats = createBrokerStats()
  const verifyToken = createDeviceVerifier({ orm, audience: config.publicUrl })

  // The broker starts in onReady; the services reach it through this late-bound reference.
  let broker: DeviceBroker | undefined
  const publish = async (topic: string, payload: string, retain: boolean): Promise<void> => {
    await broker?.publish({ topic, payload: Buffer.from(payload), qos: 1, retain })
  }

  const telemetry = createTelemetryStore({ orm, dialect: databaseTarget(config.databaseUrl, config.dataDir).dialect, log, retentionDays: config.telemetryRetentionDays })
  const presence = createPresence({ orm, log, publish, isConnected: (id) => broker?.isConnected(id) ?? false })
  const commands = createCommands({
    orm,
    log,
    defaultTtlSeconds: config.commandTtlSeconds,
    onCompleted: (completion) => { stats.events.emit('commandCompleted', completion) },
    transport: {
      reachable: (id) => broker?.isSubscribed(id, commandsTopic(id)) ?? false,
      elsewhere: (id) => { broker?.deliverAnywhere(id) },
      async send (id, command) {
        const sent = await (broker?.send(id, { topic: commandsTopic(id), payload: Buffer.from(JSON.stringify(command)), qos: 1 }) ?? false)
        if (sent) stats.messagesSent++
        return sent
      }
    }
  })

  // Ownership changes and revocations, for what follows a box elsewhere (the router's box routes and tunnels).
  const changes = new EventEmitter().setMaxListeners(0)
  const claims = createClaims({
    orm,
    log,
    // Every ownership change publishes the box's desired config: the one place that sees them all.
    publishConfig: async (id, desired) => {
      changes.emit('change', id)
      await publish(configTopic(id), JSON.stringify(desired), true)
    },
    // Presence reaches the database a moment after CONNECT; a box connected now has been online.
    isConnected: (id) => broker?.isConnected(id) ?? false,
    maxFailures: config.claimMaxFailures,
    lockoutWindowMs: config.claimLockoutWindow,
    gatewayVersion: config.boxGatewayVersion,
    // The router sends the owner's email in x-forwarded-user (routing/box-routes.ts); the gateway compares it exactly.
    ownerIdentity: async (ownerId) => (await orm.em.fork().findOne(User, { id: ownerId }, { fields: ['email'] }))?.email,
    boxUrl: (device) => boxUrl(config, device)
  })

  const deviceFlow = createDeviceFlow({
    authorizationServer: app.authorizationServer,
    claims,
    find: (deviceId) => orm.em.fork().findOne(Device, { id: deviceId }),
    requireEmailVerification: app.oauth.requireEmailVerification,
    pollIntervalSeconds: config.deviceClaimPollInterval
  })
  await app.authorizationServer.registerClient(deviceFlow.client)

  /** A box that ran `factory-reset` (a result on its own authenticated session) has no owner any more. */
  async function settleCommand (deviceId: string, result: Parameters<typeof commands.recordResult>[1]): Promise<void> {
    const settled = await commands.recordResult(deviceId, result)
    if (settled?.name === 'factory-reset' && settled.state === 'succeeded') await claims.factoryReset(deviceId)
  }

  const onMessage = (message: DeviceMessage): void => {
    switch (message.kind) {
      case 'telemetry': telemetry.ingest(message.deviceId, message.value); break
      case 'state': presence.reported(message.deviceId, message.value); break
      case 'command-result': void settleCommand(message.deviceId, message.value).catch((err: unknown) => { log.error({ err }, 'recording a command result failed') })
    }
  }
  const isOnline = (device: Pick<Device, 'id' | 'connected'>): boolean => device.connected || (broker?.isConnected(device.id) ?? false)

  app.decorate('devices', {
    verifyToken,
    find: async (deviceId) => await orm.em.fork().findOne(Device, { id: deviceId }),
    get: (deviceId) => getDevice(orm.em.fork(), deviceId),
    listOwnedBy: (userId) => orm.em.fork().find(Device, { ownerId: userId }, { orderBy: { claimedAt: 'asc', id: 'asc' } }),
    listClaimed: () => orm.em.fork().find(Device, { ownerId: { $ne: null } }, { fields: ['id', 'ownerId', 'state'] }),
    onChange (listener) {
      changes.on('change', listener)
      return () => { changes.off('change', listener) }
    },
    search: (query) => searchDevices(orm.em.fork(), query),
    isOnline,
    claims,
    registerBatch: (input, em = orm.em.fork()) => registerBatch(em, input),
    getBatch: (batchId) => getBatch(orm.em.fork(), batchId),
    async revoke (deviceId) {
      await revokeDevice(orm.em.fork(), deviceId)
      broker?.disconnect(deviceId)
      changes.emit('change', deviceId)
    },
    async restore (deviceId) {
      await restoreDevice(orm.em.fork(), deviceId)
      changes.emit('change', deviceId)
    },
    commands,
    telemetry: {
      latest: telemetry.latest,
      flush: telemetry.flush,
      prune: telemetry.prune,
      query: (deviceId, range) => queryTelemetry(orm.em.fork(), deviceId, range)
    },
    presence,
    get broker () {
      if (broker === undefined) throw new Error('the MQTT broker starts when the app is ready')
      return broker
    },
    stats,
    count: () => countDevices(orm.em.fork())
  })

  app.addHook('onReady', async () => {
    const tls = config.mqttTlsCert !== undefined && config.mqttTlsKey !== undefined
      ? { port: config.mqttTlsPort, cert: await readFile(config.mqttTlsCert), key: await readFile(config.mqttTlsKey) }
      : undefined
    await presence.reset()
    app.upgradePaths.add(MQTT_WEBSOCKET_PATH)
    const start = (port: number): Promise<DeviceBroker> => startBroker({
      host: config.mqttHost,
      port,
      tls,
      httpServer: app.server,
      maxPayload: config.mqttMaxPayload,
      authenticate: createAuthenticate({ verify: verifyToken, stats, log }),
      acl: createAcl({ stats, log, maxPayload: config.mqttMaxPayload, rateLimit: { rate: config.mqttPublishRate, burst: config.mqttPublishBurst }, onMessage }),
      log,
      redisUrl: config.redisUrl,
      events: {
        connected: (id) => { presence.connected(id) },
        disconnected: (id) => { presence.disconnected(id) },
        deliveryRequested: (id) => { void commands.deliverPending(id) },
        subscribed: (id, topics) => {
          if (topics.includes(commandsTopic(id))) void commands.deliverPending(id)
          // The retained config lives in the broker's store; the database is the truth, so a box
          // subscribing (e.g. after a broker restart) is sent it again. Boxes apply only newer versions.
          if (topics.includes(configTopic(id))) void claims.publishCurrent(id).catch((err: unknown) => { log.error({ err, deviceId: id }, 'sending desired config failed') })
        }
      }
    })
    try {
      broker = await start(config.mqttPort ?? DEFAULT_MQTT_PORT)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err
      if (config.mqttPort !== undefined) {
        throw new StartupError(`MQTT port ${config.mqttHost}:${config.mqttPort} (or TLS ${config.mqttTlsPort}) is already in use; set MQTT_PORT / MQTT_TLS_PORT`)
      }
      // The embedded default must start on machines that already run a broker (Mosquitto on 1883).
      broker = await start(0)
      log.warn({ port: broker.port }, `MQTT port ${DEFAULT_MQTT_PORT} is taken by another program; the broker listens on ${broker.port} instead (set MQTT_PORT to choose)`)
    }
  })
  app.decorateRequest('deviceId', null)
  await app.register(factoryRoutes)
  await app.register(ownerRoutes)
  await app.register(adminRoutes)
  await app.register(deviceRoutes)
  await app.register(deviceFlowRoutes(deviceFlow))

  app.readiness.add('mqtt', async () => {
    if (broker === undefined) throw new Error('MQTT broker not started')
    await broker.check()
  })
  app.addHook('onClose', async () => {
    await broker?.close()
    await presence.close()
    await commands.close()
    await telemetry.close()
  })
}, { name: 'devices', dependencies: ['oauth'] })

export const devices: ServerPlugin = {
  plugin: devicesPlugin,
  description: 'OpenClaw Boxes: registry, device tokens, the MQTT broker (presence, telemetry, commands), claiming, factory and owner API',
  entities: devicesEntities
}
