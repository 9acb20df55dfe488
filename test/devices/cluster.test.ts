// Cluster mode: two server processes sharing PostgreSQL and Redis form one broker. A box connected
// to node A is claimed, commanded and revoked through node B.
import mqtt from 'mqtt'
import t from 'tap'
import { generateClaimCode, hashClaimCode } from '../../protocol/claim-code.js'
import { generateDeviceId } from '../../protocol/device-id.js'
import { signDeviceJwt } from '../../protocol/device-jwt.js'
import { exportPublicKeyRaw, generateDeviceKeyPair } from '../../protocol/device-keys.js'
import type { Command, DesiredConfig } from '../../protocol/payloads.js'
import { commandResultTopic, commandsTopic, configTopic } from '../../protocol/topics.js'
import { postgresql, redis, requireComponents } from '../helpers/components.js'
import { createScratchDatabase } from '../helpers/postgres.js'
import { accountToken, factoryApiToken, startServer } from '../helpers/factory-station.js'
import { waitFor } from './helpers.js'

t.test('a box on node A gets commands and its claim sent through node B', async (t) => {
  if (!(await requireComponents(t, postgresql, redis))) return
  const database = await createScratchDatabase()
  t.teardown(() => database.drop())
  // One public URL for both nodes, as behind a load balancer: device tokens name it as their audience.
  const shared = { DATABASE_URL: database.url, REDIS_URL: 'redis://127.0.0.1:6379', PUBLIC_URL: 'http://cloud.test' }
  const a = await startServer(t, shared)
  const b = await startServer(t, shared)

  const id = generateDeviceId()
  const keys = generateDeviceKeyPair()
  const code = generateClaimCode()
  const factory = await factoryApiToken(a)
  const registered = await fetch(`${a.url}/api/factory/batches`, {
    method: 'POST',
    headers: { authorization: `Bearer ${factory}`, 'content-type': 'application/json' },
    body: JSON.stringify({ batchId: `cluster-${id.slice(4)}`, model: 'OpenClaw Box v1', devices: [{ deviceId: id, publicKey: exportPublicKeyRaw(keys.publicKey), claimCodeHash: await hashClaimCode(code) }] })
  })
  t.equal(registered.status, 200)

  const password = await signDeviceJwt({ deviceId: id, privateKey: keys.privateKey, audience: 'http://cloud.test' })
  const box = await mqtt.connectAsync(`${a.url.replace('http', 'ws')}/mqtt`, { clientId: id, username: id, password, reconnectPeriod: 0 })
  t.teardown(() => box.endAsync(true))
  const commands: Command[] = []
  const configs: DesiredConfig[] = []
  box.on('message', (topic, payload) => {
    if (topic === commandsTopic(id)) commands.push(JSON.parse(payload.toString()) as Command)
    if (topic === configTopic(id)) configs.push(JSON.parse(payload.toString()) as DesiredConfig)
  })
  await box.subscribeAsync([commandsTopic(id), configTopic(id)], { qos: 1 })

  const owner = await accountToken(b, 'owner@cluster.test')
  const viaB = async (path: string, body?: object): Promise<Response> => await fetch(`${b.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${owner}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  t.equal((await viaB('/api/devices/claim', { deviceId: id, code })).status, 200, 'claimed through B')
  await waitFor('claimed config on A', () => configs.some((c) => c.claim.claimed), 10_000)
  t.pass('the desired config published on B reaches the box on A')

  const sent = await (await viaB(`/api/devices/${id}/commands`, { name: 'restart-gateway' })).json() as { id: string }
  await waitFor('command on A', () => commands.some((c) => c.id === sent.id), 10_000)
  t.equal(commands.filter((c) => c.id === sent.id).length, 1, 'the command sent through B arrives once at the box on A')
  await box.publishAsync(commandResultTopic(id, sent.id), JSON.stringify({ id: sent.id, status: 'succeeded', ts: Date.now() }), { qos: 1 })
  await waitFor('result through B', async () => ((await (await viaB(`/api/devices/${id}/commands/${sent.id}`)).json()) as { state: string }).state === 'succeeded', 10_000)
  t.pass('and its result, received on A, is visible through B')
})
