// Cluster mode: two server processes sharing PostgreSQL and Redis form one broker. A box connected
// to node A is claimed, commanded and revoked through node B.
import mqtt from 'mqtt'
import t from 'tap'
import { signDeviceJwt } from '../../protocol/device-jwt.js'
import type { Command, DesiredConfig } from '../../protocol/payloads.js'
import { commandResultTopic, commandsTopic, configTopic } from '../../protocol/topics.js'
import { postgresql, redis, requireComponents } from '../helpers/components.js'
import { createScratchDatabase } from '../helpers/postgres.js'
import type { Test } from 'tap'
import { accountToken, registerBoxThroughFactory, startServer } from '../helpers/factory-station.js'
import { waitFor } from './helpers.js'

interface ConnectedBox { client: mqtt.MqttClient, commands: Command[], configs: DesiredConfig[] }

/**
 * Two nodes sharing a scratch PostgreSQL database and Redis, one box registered through A, and its
 * owner's API calls made through B. The owner's access token is a JWT of node B's key (each node
 * here keeps its own data directory), so every owner call goes to B.
 */
async function startCluster (t: Test, label: string) {
  const database = await createScratchDatabase()
  t.teardown(() => database.drop())
  // One public URL for both nodes, as behind a load balancer: device tokens name it as their audience.
  const shared = { DATABASE_URL: database.url, REDIS_URL: 'redis://127.0.0.1:6379', PUBLIC_URL: 'http://cloud.test' }
  const a = await startServer(t, shared)
  const b = await startServer(t, shared)

  const { id, keys, code, status } = await registerBoxThroughFactory(a, label)
  t.equal(status, 200, 'the box is registered through A')

  const owner = await accountToken(b, `owner@${label}.test`)
  const viaB = async (path: string, body?: object): Promise<Response> => await fetch(`${b.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${owner}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body)
  })

  /** The box as the firmware connects: a clean session that subscribes to its commands and config. */
  async function connect (node: { url: string }): Promise<ConnectedBox> {
    const password = await signDeviceJwt({ deviceId: id, privateKey: keys.privateKey, audience: 'http://cloud.test' })
    const client = await mqtt.connectAsync(`${node.url.replace('http', 'ws')}/mqtt`, { clientId: id, username: id, password, reconnectPeriod: 0, clean: true })
    const commands: Command[] = []
    const configs: DesiredConfig[] = []
    client.on('message', (topic, payload) => {
      if (topic === commandsTopic(id)) commands.push(JSON.parse(payload.toString()) as Command)
      if (topic === configTopic(id)) configs.push(JSON.parse(payload.toString()) as DesiredConfig)
    })
    await client.subscribeAsync([commandsTopic(id), configTopic(id)], { qos: 1 })
    return { client, commands, configs }
  }
  return { a, b, id, code, viaB, connect }
}

t.test('a box on node A gets commands and its claim sent through node B', async (t) => {
  if (!(await requireComponents(t, postgresql, redis))) return
  const { a, id, code, viaB, connect } = await startCluster(t, 'cluster')
  const box = await connect(a)
  t.teardown(() => box.client.endAsync(true))

  t.equal((await viaB('/api/devices/claim', { deviceId: id, code })).status, 200, 'claimed through B')
  await waitFor('claimed config on A', () => box.configs.some((c) => c.claim.claimed), 10_000)
  t.pass('the desired config published on B reaches the box on A')

  const sent = await (await viaB(`/api/devices/${id}/commands`, { name: 'restart-gateway' })).json() as { id: string }
  await waitFor('command on A', () => box.commands.some((c) => c.id === sent.id), 10_000)
  t.equal(box.commands.filter((c) => c.id === sent.id).length, 1, 'the command sent through B arrives once at the box on A')
  await box.client.publishAsync(commandResultTopic(id, sent.id), JSON.stringify({ id: sent.id, status: 'succeeded', ts: Date.now() }), { qos: 1 })
  await waitFor('result through B', async () => ((await (await viaB(`/api/devices/${id}/commands/${sent.id}`)).json()) as { state: string }).state === 'succeeded', 10_000)
  t.pass('and its result, received on A, is visible through B')
})

t.test('the offline queue survives a restart of both nodes', async (t) => {
  if (!(await requireComponents(t, postgresql, redis))) return
  const { a, b, id, code, viaB, connect } = await startCluster(t, 'restart')
  t.equal((await viaB('/api/devices/claim', { deviceId: id, code })).status, 200)

  const first = await connect(a)
  await waitFor('the claimed config', () => first.configs.some((c) => c.claim.claimed), 10_000)
  await first.client.endAsync()
  await waitFor('the box offline', async () => ((await (await viaB(`/api/devices/${id}`)).json()) as { online: boolean }).online === false, 10_000)

  const queued = await (await viaB(`/api/devices/${id}/commands`, { name: 'restart-gateway' })).json() as { id: string, state: string }
  t.equal(queued.state, 'pending', 'a command for the offline box is queued')

  // Power cut on both nodes: no shutdown hooks run.
  await a.kill()
  await b.kill()
  await a.restart()
  await b.restart()

  // Queued through B, the box comes back on A.
  const back = await connect(a)
  t.teardown(() => back.client.endAsync(true))
  await waitFor('the queued command', () => back.commands.some((c) => c.id === queued.id), 15_000)
  await waitFor('the retained config', () => back.configs.some((c) => c.claim.claimed), 15_000)
  t.pass('after both nodes restarted the box still gets its claimed config')
  await back.client.publishAsync(commandResultTopic(id, queued.id), JSON.stringify({ id: queued.id, status: 'succeeded', ts: Date.now() }), { qos: 1 })
  await waitFor('result through B', async () => ((await (await viaB(`/api/devices/${id}/commands/${queued.id}`)).json()) as { state: string }).state === 'succeeded', 10_000)
  await new Promise((resolve) => setTimeout(resolve, 1000))
  t.equal(back.commands.filter((c) => c.id === queued.id).length, 1, 'the queued command reached the box exactly once, and its result is visible on the other node')
})
