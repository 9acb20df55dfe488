// Commands reach boxes QoS 1 on devices/{id}/commands: at once when connected, on reconnect when
// not (exactly once, until they expire), and the box's result settles them.
import type { MqttClient } from 'mqtt'
import t from 'tap'
import type { Command } from '../../protocol/payloads.js'
import { commandResultTopic, commandsTopic } from '../../protocol/topics.js'
import { forEachDialect } from '../helpers/app.js'
import { closeClient, connectBox, registerBoxes, startDevicesApp, waitFor, type Box } from './helpers.js'
import type { FastifyInstance } from 'fastify'

/** Connects, subscribes to the box's commands and collects what arrives. */
async function listeningBox (app: FastifyInstance, box: Box, options: { clean?: boolean, subscribe?: boolean } = {}): Promise<{ client: MqttClient, received: Command[] }> {
  const received: Command[] = []
  const client = await connectBox(app, box, { clean: options.clean ?? true })
  client.on('message', (_topic, payload) => received.push(JSON.parse(payload.toString()) as Command))
  if (options.subscribe ?? true) await client.subscribeAsync(commandsTopic(box.id), { qos: 1 })
  return { client, received }
}

const settle = (ms = 300): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

t.test('a command to a connected box is delivered at once and its result recorded', async (t) => {
  const app = await startDevicesApp(t)
  const [box] = await registerBoxes(app, 1)
  const { client, received } = await listeningBox(app, box!)
  t.teardown(() => closeClient(client))

  const created = await app.devices.commands.create({ deviceId: box!.id, name: 'upgrade-gateway', params: { version: '2026.12.0' } })
  t.equal(created.state, 'delivered', 'sent while the request was answered')
  await waitFor('command', () => received.length === 1)
  t.match(received[0], { id: created.id, name: 'upgrade-gateway', params: { version: '2026.12.0' }, expiresAt: created.expiresAt.getTime() })

  await client.publishAsync(commandResultTopic(box!.id, created.id), JSON.stringify({ id: created.id, status: 'failed', ts: Date.now(), message: 'disk full', output: { freeBytes: 12 } }), { qos: 1 })
  await waitFor('result', async () => (await app.devices.commands.get(box!.id, created.id))?.state === 'failed')
  t.match(await app.devices.commands.get(box!.id, created.id), { state: 'failed', message: 'disk full', output: { freeBytes: 12 } })
  t.ok((await app.devices.commands.get(box!.id, created.id))?.completedAt instanceof Date)
})

forEachDialect(t, 'commands for an offline box are delivered exactly once when it reconnects', async (t, dialect) => {
  const app = await startDevicesApp(t, { dialect })
  const [box] = await registerBoxes(app, 1)
  const first = await app.devices.commands.create({ deviceId: box!.id, name: 'restart-gateway' })
  const second = await app.devices.commands.create({ deviceId: box!.id, name: 'reboot', params: { delaySeconds: 1 } })
  t.same([first.state, second.state], ['pending', 'pending'], 'kept while the box is offline')

  const session = await listeningBox(app, box!)
  await waitFor('both commands', () => session.received.length === 2)
  t.same(session.received.map((c) => c.id), [first.id, second.id], 'in the order they were created')
  await waitFor('delivered', async () => (await app.devices.commands.get(box!.id, second.id))?.state === 'delivered')
  await settle()
  t.equal(session.received.length, 2, 'each exactly once')
  await closeClient(session.client)

  const next = await listeningBox(app, box!)
  await settle()
  t.same(next.received, [], 'nothing is sent again on the next connection')
  await next.client.publishAsync(commandResultTopic(box!.id, first.id), JSON.stringify({ id: first.id, status: 'succeeded', ts: Date.now() }), { qos: 1 })
  await waitFor('succeeded', async () => (await app.devices.commands.get(box!.id, first.id))?.state === 'succeeded')
  t.pass('the result reached the service')
  await closeClient(next.client)

  // A box resuming its session (clean = 0) keeps its subscription without a new SUBSCRIBE.
  const persistent = await listeningBox(app, box!, { clean: false })
  await closeClient(persistent.client)
  const third = await app.devices.commands.create({ deviceId: box!.id, name: 'upload-logs', params: { uploadUrl: 'https://logs.example.com/u/1' } })
  const resumed = await listeningBox(app, box!, { clean: false, subscribe: false })
  t.teardown(() => closeClient(resumed.client))
  await waitFor('resumed delivery', () => resumed.received.length >= 1)
  await settle()
  t.same(resumed.received.map((c) => c.id), [third.id], 'delivered once on the resumed session')
})

t.test('an expired command is never delivered', async (t) => {
  const app = await startDevicesApp(t)
  const [box] = await registerBoxes(app, 1)
  const doomed = await app.devices.commands.create({ deviceId: box!.id, name: 'factory-reset', ttlSeconds: 1 })
  const kept = await app.devices.commands.create({ deviceId: box!.id, name: 'restart-gateway' })
  await settle(1100)
  const { client, received } = await listeningBox(app, box!)
  t.teardown(() => closeClient(client))
  await waitFor('the live command', () => received.length === 1)
  await settle()
  t.same(received.map((c) => c.id), [kept.id], 'only the unexpired command arrives')
  t.equal((await app.devices.commands.get(box!.id, doomed.id))?.state, 'expired')
  t.same((await app.devices.commands.list(box!.id)).map((c) => c.state).sort(), ['delivered', 'expired'])
})

t.test('commands are validated against the protocol', async (t) => {
  const app = await startDevicesApp(t)
  const [box] = await registerBoxes(app, 1)
  await t.rejects(app.devices.commands.create({ deviceId: box!.id, name: 'self-destruct' }), { code: 'INVALID_COMMAND', statusCode: 400, message: /unknown command "self-destruct"/ })
  await t.rejects(app.devices.commands.create({ deviceId: box!.id, name: 'reboot', params: { delaySeconds: -1 } }), { code: 'INVALID_COMMAND', message: /params\/delaySeconds/ })
  await t.rejects(app.devices.commands.create({ deviceId: 'ocb_0000000000000000', name: 'reboot' }), { code: 'DEVICE_NOT_FOUND', statusCode: 404 })
})
