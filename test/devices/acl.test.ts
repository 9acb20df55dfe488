// A box may touch only its own topics, in the directions of protocol's ACL table; a malformed
// payload is dropped and counted without disturbing its sender or anyone else.
import t from 'tap'
import { commandsTopic, configTopic, stateTopic, telemetryTopic } from '../../protocol/topics.js'
import { TelemetrySample } from '../../plugins/devices/entities.js'
import { closeClient, connectBox, registerBoxes, startDevicesApp, telemetry, waitFor } from './helpers.js'

t.test('box A can neither publish to nor subscribe on box B', async (t) => {
  const app = await startDevicesApp(t)
  const [a, b] = await registerBoxes(app, 2)
  const clientA = await connectBox(app, a!)
  const clientB = await connectBox(app, b!)
  t.teardown(() => Promise.all([closeClient(clientA), closeClient(clientB)]))

  // mqtt.js rejects a SUBACK holding any 0x80; the granted list travels on the error.
  const suback = await clientA.subscribeAsync([commandsTopic(b!.id), 'devices/+/commands', '#', commandsTopic(a!.id), telemetryTopic(a!.id)], { qos: 1 })
    .then(() => undefined, (err: { packet?: { granted: number[] } }) => err.packet)
  t.same(suback?.granted, [128, 128, 128, 1, 128], "another box's topic, wildcards and a box-to-cloud topic are refused; its own commands granted")
  t.equal(app.devices.stats.subscriptionsRefused, 4)
  t.ok(clientA.connected, 'a refused subscription does not end the session')

  const received: string[] = []
  clientB.on('message', (topic) => received.push(topic))
  await clientB.subscribeAsync(commandsTopic(b!.id), { qos: 1 })
  const closed = new Promise<void>((resolve) => clientA.once('close', () => resolve()))
  clientA.publish(telemetryTopic(b!.id), JSON.stringify(telemetry()), { qos: 0 })
  await closed
  t.equal(app.devices.stats.publishesRefused, 1, 'publishing as another box is refused and counted')
  await waitFor('A gone', () => !app.devices.broker.isConnected(a!.id))

  const again = await connectBox(app, a!)
  t.teardown(() => closeClient(again))
  const closedAgain = new Promise<void>((resolve) => again.once('close', () => resolve()))
  again.publish(commandsTopic(a!.id), '{}', { qos: 0 })
  await closedAgain
  t.equal(app.devices.stats.publishesRefused, 2, 'a box cannot publish commands, even to itself')
  const thirdTime = await connectBox(app, a!)
  t.teardown(() => closeClient(thirdTime))
  const closedThird = new Promise<void>((resolve) => thirdTime.once('close', () => resolve()))
  thirdTime.publish(configTopic(a!.id), '{}', { qos: 0 })
  await closedThird

  t.ok(clientB.connected, 'box B was never disturbed')
  t.same(received, [], 'and received nothing')
  await app.devices.telemetry.flush()
  t.equal(await app.orm.em.fork().count(TelemetrySample, { deviceId: b!.id }), 0, 'no telemetry was recorded for B')
})

t.test('malformed payloads are dropped and counted; sender and others carry on', async (t) => {
  const app = await startDevicesApp(t, { config: { mqttMaxPayload: 4096 } })
  const [sender, bystander] = await registerBoxes(app, 2)
  const client = await connectBox(app, sender!)
  const other = await connectBox(app, bystander!)
  t.teardown(() => Promise.all([closeClient(client), closeClient(other)]))

  const bad = [
    'not json {',
    JSON.stringify({ ts: Date.now(), cpu: { percent: 250 } }),
    JSON.stringify(telemetry({ gateway: { status: 'exploded' as never, restarts: 0 } })),
    'x'.repeat(5000)
  ]
  for (const payload of bad) await client.publishAsync(telemetryTopic(sender!.id), payload, { qos: 1 })
  await client.publishAsync(stateTopic(sender!.id), JSON.stringify({ status: 'sideways' }), { qos: 1, retain: true })
  await client.publishAsync(`devices/${sender!.id}/commands/cmd1/result`, JSON.stringify({ id: 'other', status: 'succeeded', ts: 1 }), { qos: 1 })
  t.equal(app.devices.stats.payloadsDropped, 6, 'each bad payload is dropped and counted')
  t.ok(client.connected, 'the sender stays connected (its PUBLISH was acknowledged)')

  await client.publishAsync(telemetryTopic(sender!.id), JSON.stringify(telemetry({ cpu: { percent: 33 } })), { qos: 1 })
  await other.publishAsync(telemetryTopic(bystander!.id), JSON.stringify(telemetry({ cpu: { percent: 44 } })), { qos: 1 })
  await app.devices.telemetry.flush()
  t.same((await app.devices.telemetry.latest(sender!.id))?.data.cpu, { percent: 33 }, 'the next good message from the sender is stored')
  t.same((await app.devices.telemetry.latest(bystander!.id))?.data.cpu, { percent: 44 }, 'and the bystander was not affected')
  t.equal(await app.orm.em.fork().count(TelemetrySample, {}), 2, 'only good samples reach the time series')
})
