// ARCHITECTURE §3 "MQTT": plain Aedes crashed under a publish flood from 500 clients. Here
// authenticated boxes flood at full speed over real sockets; the rate limit cuts them off in the
// broker's hooks while well-behaved boxes keep publishing and receiving commands.
import net from 'node:net'
import t from 'tap'
import type { Command } from '../../protocol/payloads.js'
import { commandResultTopic, commandsTopic, telemetryTopic } from '../../protocol/topics.js'
import { TelemetrySample } from '../../plugins/devices/entities.js'
import { closeClient, connectBox, registerBoxes, startDevicesApp, telemetry, waitFor } from './helpers.js'

const ABUSIVE = 300
const FLOOD_MESSAGES = Number(process.env.FLOOD ?? 2000)
const LEGITIMATE = 5
const GOOD_MESSAGES = 20

// Flooders write raw MQTT 3.1.1 packets, encoded once, so the flood costs this test process
// nothing and all the load lands on the broker.
function packet (type: number, body: Buffer): Buffer {
  const length: number[] = []
  let rest = body.length
  do {
    let byte = rest % 128
    rest = Math.floor(rest / 128)
    if (rest > 0) byte |= 0x80
    length.push(byte)
  } while (rest > 0)
  return Buffer.concat([Buffer.from([type, ...length]), body])
}
const utf8 = (text: string): Buffer => { const bytes = Buffer.from(text); return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]) }
// CONNECT (§3.1): protocol name and level 4, flags username + password + clean session, keep alive 60 s.
const connect = (id: string, token: string): Buffer => packet(0x10, Buffer.concat([utf8('MQTT'), Buffer.from([4, 0xc2, 0, 60]), utf8(id), utf8(id), utf8(token)]))
// PUBLISH QoS 0 (§3.3): topic, then the payload.
const publish = (topic: string, payload: string): Buffer => packet(0x30, Buffer.concat([utf8(topic), Buffer.from(payload)]))

t.test('legitimate boxes keep working while others flood the broker', async (t) => {
  const app = await startDevicesApp(t, { config: { mqttPublishRate: 10, mqttPublishBurst: 50 } })
  const boxes = await registerBoxes(app, ABUSIVE + LEGITIMATE)
  const good = boxes.slice(0, LEGITIMATE)
  const bad = boxes.slice(LEGITIMATE)

  const goodClients = await Promise.all(good.map((box) => connectBox(app, box)))
  t.teardown(() => Promise.all(goodClients.map(closeClient)))
  const flooders = await Promise.all(bad.map(async (box) => {
    const socket = net.connect(app.devices.broker.port, '127.0.0.1')
    socket.on('error', () => {})
    socket.write(connect(box.id, await box.token()))
    return socket
  }))
  t.teardown(() => { for (const socket of flooders) socket.destroy() })
  await waitFor('flooders connected', () => bad.every((box) => app.devices.broker.isConnected(box.id)), 20_000)
  const commands: Command[] = []
  const watcher = goodClients[0]!
  watcher.on('message', (_topic, payload) => commands.push(JSON.parse(payload.toString()) as Command))
  await watcher.subscribeAsync(commandsTopic(good[0]!.id), { qos: 1 })

  // Full speed: every abusive box writes its whole flood into its socket at once.
  const payload = JSON.stringify(telemetry())
  for (const [i, socket] of flooders.entries()) socket.write(Buffer.concat(Array.from({ length: FLOOD_MESSAGES }, () => publish(telemetryTopic(bad[i]!.id), payload))))

  const started = Date.now()
  for (let round = 0; round < GOOD_MESSAGES; round++) {
    await Promise.all(goodClients.map((client, i) => client.publishAsync(telemetryTopic(good[i]!.id), JSON.stringify(telemetry({ ts: Date.now() + round })), { qos: 1 })))
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  // Speed is bench/mqtt-fleet's business; here every publish must simply be acknowledged.
  t.comment(`${LEGITIMATE} boxes published ${GOOD_MESSAGES} acknowledged messages each in ${((Date.now() - started) / 1000).toFixed(1)} s during the flood`)

  const sentAt = Date.now()
  const command = await app.devices.commands.create({ deviceId: good[0]!.id, name: 'restart-gateway' })
  await waitFor('command during the flood', () => commands.some((c) => c.id === command.id), 10_000)
  t.comment(`a command reached a well-behaved box in ${Date.now() - sentAt} ms`)
  await watcher.publishAsync(commandResultTopic(good[0]!.id, command.id), JSON.stringify({ id: command.id, status: 'succeeded', ts: Date.now() }), { qos: 1 })
  await waitFor('result', async () => (await app.devices.commands.get(good[0]!.id, command.id))?.state === 'succeeded')

  await waitFor('every flooder cut off', () => app.devices.stats.rateLimitedDisconnects === ABUSIVE, 20_000)
  await waitFor('flooders gone', () => bad.every((box) => !app.devices.broker.isConnected(box.id)), 20_000)
  t.ok(goodClients.every((client) => client.connected), 'every well-behaved box is still connected')

  await app.devices.telemetry.flush()
  for (const box of good) {
    t.equal(await app.orm.em.fork().count(TelemetrySample, { deviceId: box.id }), GOOD_MESSAGES, `all ${GOOD_MESSAGES} messages of ${box.id} recorded`)
  }
  const floodRecorded = await app.orm.em.fork().count(TelemetrySample, { deviceId: { $in: bad.map((box) => box.id) } })
  t.ok(floodRecorded <= ABUSIVE * 55, `about each flooder's burst (50) got through, no more (${floodRecorded} of ${ABUSIVE * FLOOD_MESSAGES})`)
  t.equal((await fetch(`http://127.0.0.1:${app.devices.broker.port}`).catch(() => undefined)) === undefined, true, 'the broker port still answers TCP (and rejects HTTP)')
})
