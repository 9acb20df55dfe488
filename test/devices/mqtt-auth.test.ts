// Boxes authenticate to the broker with their device JWT, over TCP, WebSocket, and with
// Mosquitto's own clients; refused tokens get the CONNACK code that says why; presence follows.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import mqtt from 'mqtt'
import t from 'tap'
import { stateTopic, telemetryTopic } from '../../protocol/topics.js'
import { Device, LatestTelemetry } from '../../plugins/devices/entities.js'
import { closeClient, connectBox, registerBoxes, startDevicesApp, telemetry, waitFor } from './helpers.js'

const run = promisify(execFile)

t.test('a registered box connects with its JWT; presence and versions reach the registry', async (t) => {
  const app = await startDevicesApp(t)
  const [box] = await registerBoxes(app, 1)
  const client = await connectBox(app, box!, {
    will: { topic: stateTopic(box!.id), payload: Buffer.from(JSON.stringify({ status: 'offline' })), qos: 1, retain: true }
  })
  await client.publishAsync(stateTopic(box!.id), JSON.stringify({ status: 'online', firmwareVersion: '1.2.3', gatewayVersion: '2026.11.1' }), { qos: 1, retain: true })
  const device = async (): Promise<Device> => await app.orm.em.fork().findOneOrFail(Device, { id: box!.id })
  await waitFor('versions', async () => (await device()).gatewayVersion === '2026.11.1')
  t.match(await device(), { state: 'online', connected: true, firmwareVersion: '1.2.3' }, 'first connection: registered -> online, connected')
  t.ok((await device()).lastSeenAt instanceof Date)
  t.ok(app.devices.broker.isConnected(box!.id))

  // The connection drops without DISCONNECT: the last will and the broker both say offline.
  client.stream.destroy()
  await waitFor('offline', async () => !(await device()).connected)
  t.equal((await device()).state, 'online', 'still unclaimed after disconnecting')
})

t.test('expired, wrong-key, revoked, unknown and mismatched credentials are refused', async (t) => {
  const app = await startDevicesApp(t)
  const [box, other, revoked] = await registerBoxes(app, 3)
  await app.devices.revoke(revoked!.id)
  const refusal = async (options: Parameters<typeof connectBox>[2], target = box!): Promise<number | undefined> => {
    try {
      const client = await connectBox(app, target, options)
      await closeClient(client)
      return 0
    } catch (err) {
      return (err as { code?: number }).code
    }
  }
  const longAgo = new Date(Date.now() - 2 * 3600_000)
  t.equal(await refusal({ password: await box!.token({ now: longAgo, ttlSeconds: 3600 }) }), 4, 'expired token: bad username or password')
  t.equal(await refusal({ password: await box!.token({ privateKey: other!.privateKey }) }), 4, 'signed with another key')
  t.equal(await refusal({}, revoked), 5, 'revoked box: not authorized')
  t.equal(await refusal({ password: 'not-a-jwt' }), 4, 'garbage password')
  t.equal(await refusal({ username: other!.id }), 4, 'username of another device')
  t.equal(await refusal({ clientId: other!.id }), 2, 'client id of another device: identifier rejected')
  t.equal(await refusal({ username: undefined, password: undefined }), 4, 'no credentials')
  t.equal(app.devices.stats.connectionsRefused, 7, 'every refusal is counted')

  const unregistered = (await registerBoxes(await startDevicesApp(t), 1))[0]!
  t.equal(await refusal({ clientId: unregistered.id, username: unregistered.id, password: await unregistered.token() }), 4, 'unknown device')
  t.equal(await refusal({}), 0, 'the valid box still connects')
})

t.test('revoking a connected box ends its session', async (t) => {
  const app = await startDevicesApp(t)
  const [box] = await registerBoxes(app, 1)
  const client = await connectBox(app, box!)
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()))
  await app.devices.revoke(box!.id)
  await closed
  await waitFor('disconnected', () => !app.devices.broker.isConnected(box!.id))
  t.pass('the broker closed the connection')
})

t.test('MQTT over WebSocket at /mqtt on the HTTP server', async (t) => {
  const app = await startDevicesApp(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const [box] = await registerBoxes(app, 1)
  const client = await mqtt.connectAsync(`ws://127.0.0.1:${port}/mqtt`, { clientId: box!.id, username: box!.id, password: await box!.token(), reconnectPeriod: 0 })
  t.teardown(() => closeClient(client))
  await client.publishAsync(telemetryTopic(box!.id), JSON.stringify(telemetry()), { qos: 1 })
  await app.devices.telemetry.flush()
  t.ok(await app.orm.em.fork().findOne(LatestTelemetry, { deviceId: box!.id }), 'telemetry over WebSocket is stored')
  t.equal((await fetch(`http://127.0.0.1:${port}/ready`)).status, 200, 'ready, with the broker check')
})

t.test("Mosquitto's own clients are real peers", async (t) => {
  const app = await startDevicesApp(t)
  const [box] = await registerBoxes(app, 1)
  const port = String(app.devices.broker.port)
  const credentials = ['-h', '127.0.0.1', '-p', port, '-i', box!.id, '-u', box!.id, '-P', await box!.token()]

  await run('mosquitto_pub', [...credentials, '-q', '1', '-t', telemetryTopic(box!.id), '-m', JSON.stringify(telemetry({ temperatureC: 61 }))])
  await app.devices.telemetry.flush()
  const latest = await app.devices.telemetry.latest(box!.id)
  t.equal(latest?.data.temperatureC, 61, 'mosquitto_pub telemetry is stored')

  const sub = run('mosquitto_sub', [...credentials, '-q', '1', '-t', `devices/${box!.id}/commands`, '-C', '1', '-W', '15'])
  await waitFor('mosquitto_sub subscribed', () => app.devices.broker.isSubscribed(box!.id, `devices/${box!.id}/commands`))
  const command = await app.devices.commands.create({ deviceId: box!.id, name: 'reboot', params: { delaySeconds: 5 } })
  const { stdout } = await sub
  t.match(JSON.parse(stdout), { id: command.id, name: 'reboot', params: { delaySeconds: 5 } }, 'mosquitto_sub receives the command')

  const refused = await run('mosquitto_pub', [...credentials.slice(0, -1), 'wrong', '-t', telemetryTopic(box!.id), '-m', '{}']).catch((err: { code: number, stderr: string }) => err)
  t.not((refused as { code: number }).code, 0, 'a wrong password fails')
  t.match((refused as { stderr: string }).stderr, /refused|not authori[sz]ed|bad user/i)
})

t.test('the plugin refuses to start on a busy MQTT port with a message naming it', async (t) => {
  const app = await startDevicesApp(t)
  await t.rejects(startDevicesApp(t, { config: { mqttPort: app.devices.broker.port } }), { message: /MQTT port .* already in use; set MQTT_PORT/ })
})
