// The devices plugin: box registry, the device-JWT verifier, the embedded MQTT broker with its ACL,
// presence, telemetry and commands. Routes that need signed-in users (factory, owner, admin) build
// on the `app.devices` decoration once the identity plugin provides roles.
import fp from 'fastify-plugin'
import { readFile } from 'node:fs/promises'
import type { ServerPlugin } from '../../server/plugins.js'
import { StartupError } from '../../server/startup-error.js'
import { commandsTopic } from '../../protocol/topics.js'
import { createAcl } from './acl.js'
import { createAuthenticate } from './auth.js'
import { startBroker, type DeviceBroker } from './broker.js'
import { createCommands } from './commands.js'
import { devicesEntities } from './entities.js'
import type { DeviceMessage } from './payloads.js'
import { createPresence } from './presence.js'
import { countDevices, getBatch, registerBatch, restoreDevice, revokeDevice } from './registry.js'
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

  const telemetry = createTelemetryStore({ orm, log, retentionDays: config.telemetryRetentionDays })
  const presence = createPresence({ orm, log, publish, isConnected: (id) => broker?.isConnected(id) ?? false })
  const commands = createCommands({
    orm,
    log,
    defaultTtlSeconds: config.commandTtlSeconds,
    onCompleted: (completion) => { stats.events.emit('commandCompleted', completion) },
    transport: {
      reachable: (id) => broker?.isSubscribed(id, commandsTopic(id)) ?? false,
      async send (id, command) {
        const sent = await (broker?.send(id, { topic: commandsTopic(id), payload: Buffer.from(JSON.stringify(command)), qos: 1 }) ?? false)
        if (sent) stats.messagesSent++
        return sent
      }
    }
  })

  const onMessage = (message: DeviceMessage): void => {
    switch (message.kind) {
      case 'telemetry': telemetry.ingest(message.deviceId, message.value); break
      case 'state': presence.reported(message.deviceId, message.value); break
      case 'command-result': void commands.recordResult(message.deviceId, message.value).catch((err: unknown) => { log.error({ err }, 'recording a command result failed') })
    }
  }

  app.decorate('devices', {
    verifyToken,
    registerBatch: (input, em = orm.em.fork()) => registerBatch(em, input),
    getBatch: (batchId) => getBatch(orm.em.fork(), batchId),
    async revoke (deviceId) {
      await revokeDevice(orm.em.fork(), deviceId)
      broker?.disconnect(deviceId)
    },
    restore: (deviceId) => restoreDevice(orm.em.fork(), deviceId),
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
    const start = (port: number): Promise<DeviceBroker> => startBroker({
      host: config.mqttHost,
      port,
      tls,
      httpServer: app.server,
      maxPayload: config.mqttMaxPayload,
      authenticate: createAuthenticate({ verify: verifyToken, stats, log }),
      acl: createAcl({ stats, log, maxPayload: config.mqttMaxPayload, rateLimit: { rate: config.mqttPublishRate, burst: config.mqttPublishBurst }, onMessage }),
      log,
      events: {
        connected: (id) => { presence.connected(id) },
        disconnected: (id) => { presence.disconnected(id) },
        subscribed: (id, topics) => { if (topics.includes(commandsTopic(id))) void commands.deliverPending(id) }
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
}, { name: 'devices' })

export const devices: ServerPlugin = {
  plugin: devicesPlugin,
  description: 'OpenClaw Boxes: registry, device tokens, the MQTT broker (presence, telemetry, commands)',
  entities: devicesEntities
}
