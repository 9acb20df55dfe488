// Mosquitto's own clients (`mosquitto_pub`, `mosquitto_sub`, Debian mosquitto-clients) as real
// peers of the broker: refused credentials, the per-device ACL, and commands to an offline box
// delivered once on reconnect with their result reaching the HTTP API (mqtt-auth.test.ts covers a
// valid box publishing and receiving with them).
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { commandResultTopic, commandsTopic, telemetryTopic } from '../../protocol/topics.js'
import { TelemetrySample } from '../../plugins/devices/entities.js'
import { authHeaders, signUp } from '../helpers/auth.js'
import { registerBoxes, registerClaimableBox, startDevicesApp, telemetry, waitFor, type Box } from './helpers.js'

const run = promisify(execFile)
interface Exit { code: number, stdout: string, stderr: string }
const exitOf = (promise: Promise<{ stdout: string, stderr: string }>): Promise<Exit> =>
  promise.then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }), (err: Exit) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }))

async function credentials (app: FastifyInstance, box: Box, password?: string): Promise<string[]> {
  return ['-h', '127.0.0.1', '-p', String(app.devices.broker.port), '-i', box.id, '-u', box.id, '-P', password ?? await box.token()]
}

/** mosquitto_sub for `seconds`, printing each message's payload on a line. */
async function subscribeFor (app: FastifyInstance, box: Box, topic: string, seconds: number, extra: string[] = []): Promise<Exit> {
  return await exitOf(run('mosquitto_sub', [...await credentials(app, box), '-q', '1', '-t', topic, '-W', String(seconds), ...extra]))
}

t.test('expired, wrong-key and revoked tokens are refused to mosquitto_pub', async (t) => {
  const app = await startDevicesApp(t)
  const [box, other, revoked] = await registerBoxes(app, 3)
  await app.devices.revoke(revoked!.id)
  const publish = async (target: Box, password: string): Promise<Exit> =>
    await exitOf(run('mosquitto_pub', [...await credentials(app, target, password), '-q', '1', '-t', telemetryTopic(target.id), '-m', JSON.stringify(telemetry())]))

  const expired = await publish(box!, await box!.token({ now: new Date(Date.now() - 7_200_000), ttlSeconds: 3600 }))
  t.not(expired.code, 0)
  t.match(expired.stderr, /bad user ?name or password/i, 'expired token')
  const wrongKey = await publish(box!, await box!.token({ privateKey: other!.privateKey }))
  t.match(wrongKey.stderr, /bad user ?name or password/i, 'token signed with another box key')
  const refusedRevoked = await publish(revoked!, await revoked!.token())
  t.not(refusedRevoked.code, 0)
  t.match(refusedRevoked.stderr, /not authori[sz]ed/i, 'revoked box')
  t.equal(app.devices.stats.connectionsRefused, 3)
  await app.devices.telemetry.flush()
  t.equal(await app.orm.em.fork().count(TelemetrySample, {}), 0, 'none of them got a message in')
  t.equal((await publish(box!, await box!.token())).code, 0, 'the valid token still works')
})

t.test("box A cannot subscribe on or publish to box B's topics with Mosquitto's clients", async (t) => {
  const app = await startDevicesApp(t)
  const [a, b] = await registerBoxes(app, 2)

  const spying = await subscribeFor(app, a!, commandsTopic(b!.id), 2, ['-E'])
  t.match(spying.stderr, /denied|fail/i, "mosquitto_sub is told its subscription to B's commands was denied")
  t.equal(app.devices.stats.subscriptionsRefused, 1)
  const wildcard = await subscribeFor(app, a!, 'devices/#', 2, ['-E'])
  t.match(wildcard.stderr, /denied|fail/i, 'so is a wildcard')

  // B listens on its own commands while A tries to publish as B.
  const listening = subscribeFor(app, b!, commandsTopic(b!.id), 4)
  await waitFor('B subscribed', () => app.devices.broker.isSubscribed(b!.id, commandsTopic(b!.id)))
  const forged = await exitOf(run('mosquitto_pub', [...await credentials(app, a!), '-q', '1', '-t', telemetryTopic(b!.id), '-m', JSON.stringify(telemetry())]))
  t.not(forged.code, 0, 'mosquitto_pub fails: the broker ends the connection of a box publishing as another')
  const intoCommands = await exitOf(run('mosquitto_pub', [...await credentials(app, a!), '-q', '1', '-t', commandsTopic(b!.id), '-m', '{}']))
  t.not(intoCommands.code, 0, "nor can it inject into B's commands")
  t.equal(app.devices.stats.publishesRefused, 2)
  const received = await listening
  t.equal(received.stdout, '', 'B received nothing')
  await app.devices.telemetry.flush()
  t.equal(await app.orm.em.fork().count(TelemetrySample, { deviceId: b!.id }), 0, 'no telemetry was recorded as B')
})

t.test('a command sent over HTTP to an offline box arrives once on reconnect; its result reaches the API; an expired one never runs', async (t) => {
  const app = await startDevicesApp(t)
  const box = await registerClaimableBox(app)
  const owner = await signUp(app)
  const headers = authHeaders(owner, 'bearer')
  t.equal((await app.inject({ method: 'POST', url: '/api/devices/claim', headers, payload: { deviceId: box.id, code: box.code } })).statusCode, 200)
  const send = async (payload: object) => (await app.inject({ method: 'POST', url: `/api/devices/${box.id}/commands`, headers, payload })).json() as { id: string, state: string }
  const show = async (id: string) => (await app.inject({ url: `/api/devices/${box.id}/commands/${id}`, headers })).json() as { state: string, message: string | null }

  const doomed = await send({ name: 'reboot', params: { delaySeconds: 0 }, ttlSeconds: 1 })
  const live = await send({ name: 'restart-gateway' })
  t.same([doomed.state, live.state], ['pending', 'pending'], 'kept while the box is offline')
  await new Promise((resolve) => setTimeout(resolve, 1100))

  // The box comes online with a persistent session (-c) and listens for 3 s.
  const first = await subscribeFor(app, box, commandsTopic(box.id), 3, ['-c'])
  const delivered = first.stdout.trim().split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { id: string, name: string })
  t.same(delivered.map((c) => [c.id, c.name]), [[live.id, 'restart-gateway']], 'the live command arrives exactly once; the expired one never')
  t.equal((await show(doomed.id)).state, 'expired')
  t.equal((await show(live.id)).state, 'delivered')

  const second = await subscribeFor(app, box, commandsTopic(box.id), 2, ['-c'])
  t.equal(second.stdout, '', 'nothing is sent again on the next connection')

  const result = await exitOf(run('mosquitto_pub', [...await credentials(app, box), '-q', '1', '-t', commandResultTopic(box.id, live.id), '-m', JSON.stringify({ id: live.id, status: 'succeeded', ts: Date.now(), message: 'gateway restarted' })]))
  t.equal(result.code, 0, result.stderr)
  await waitFor('result in the API', async () => (await show(live.id)).state === 'succeeded')
  t.match(await show(live.id), { state: 'succeeded', message: 'gateway restarted' }, 'the result reaches the HTTP API')
})
