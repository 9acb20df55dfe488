// A simulated box against the real server: the devices plugin's broker (device id as username,
// a device JWT signed by the box as password), its ACL, telemetry store and command service.
import type { FastifyInstance } from 'fastify'
import { join } from 'node:path'
import t from 'tap'
import type { DesiredConfig } from '../../protocol/payloads.js'
import { configTopic } from '../../protocol/topics.js'
import { startDevicesApp, registeredBoxCredentials } from '../devices/helpers.js'
import { tempDir } from '../helpers/app.js'
import { startSimulatedBox, until } from '../helpers/box-app.js'
import { freePort } from '../helpers/process.js'

const FAKE_GATEWAY = join(import.meta.dirname, 'fixtures', 'fake-gateway.mjs')

async function publishConfig (app: FastifyInstance, deviceId: string, config: DesiredConfig): Promise<void> {
  await app.devices.broker.publish({ topic: configTopic(deviceId), payload: Buffer.from(JSON.stringify(config)), qos: 1, retain: true })
}

async function commandState (app: FastifyInstance, deviceId: string, id: string): Promise<string | undefined> {
  return (await app.devices.commands.get(deviceId, id))?.state
}

t.test('a box joins the cloud, is claimed, runs its gateway and obeys commands', async (t) => {
  const app = await startDevicesApp(t)
  const dir = await tempDir(t, 'box-cloud-')
  const { file, credentials } = await registeredBoxCredentials(app, dir)
  const id = credentials.deviceId
  const gatewayPort = await freePort()
  const box = await startSimulatedBox(t, file, join(dir, 'data'), {
    gateway: { command: process.execPath, args: [FAKE_GATEWAY], port: gatewayPort, healthPath: '/healthz' }
  })

  t.equal(app.devices.broker.isConnected(id), false, 'no cloud link while in setup')
  await fetch(`${box.setupUrl}api/wifi`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ssid: 'HomeNet', password: 'correct horse battery' }) })
  await box.whenState('online-unclaimed')
  await until('the MQTT session', () => app.devices.broker.isConnected(id) && app.devices.broker.isSubscribed(id, configTopic(id)))
  t.pass('the broker accepted the box\'s own device JWT')

  await until('telemetry', async () => { await app.devices.telemetry.flush(); return (await app.devices.telemetry.latest(id)) !== null })
  const sample = (await app.devices.telemetry.latest(id))!.data
  t.match(sample, { cpu: { percent: Number }, memory: { usedBytes: Number, totalBytes: Number }, disk: { totalBytes: Number }, gateway: { status: 'stopped', restarts: 0 } }, 'telemetry passes the server\'s schema')
  t.equal(box.gateway!.status, 'stopped', 'no gateway before the box is claimed')

  await publishConfig(app, id, { version: 1, claim: { claimed: true, owner: 'ann@example.com', instanceUrl: 'https://ann.apps.example.com' } })
  await box.whenState('claimed')
  t.match(box.snapshot.claim, { claimed: true, owner: 'ann@example.com' }, 'the retained desired config claims the box')
  await box.gateway!.whenHealthy(30_000)
  t.equal(box.gateway!.status, 'running', 'and starts the gateway')

  const firstPid = box.gateway!.pid
  const restart = await app.devices.commands.create({ deviceId: id, name: 'restart-gateway' })
  await until('restart-gateway result', async () => (await commandState(app, id, restart.id)) === 'succeeded', 30_000)
  t.not(box.gateway!.pid, firstPid, 'restart-gateway replaced the gateway process')
  t.equal(box.gateway!.status, 'running')

  const update = await app.devices.commands.create({ deviceId: id, name: 'update-config', params: { config: { version: 2, claim: { claimed: true, owner: 'ann@example.com' }, gateway: { settings: { model: 'small' } } } } })
  await until('update-config result', async () => (await commandState(app, id, update.id)) === 'succeeded', 30_000)
  t.equal(box.snapshot.config?.version, 2, 'update-config applied')

  const upgrade = await app.devices.commands.create({ deviceId: id, name: 'upgrade-gateway', params: { version: '2026.12.0' } })
  await until('upgrade-gateway result', async () => (await commandState(app, id, upgrade.id)) === 'failed')
  t.match((await app.devices.commands.get(id, upgrade.id))?.message, /runs a fixed gateway command/, 'a box whose gateway command names no installed version says why it cannot upgrade')

  const reset = await app.devices.commands.create({ deviceId: id, name: 'factory-reset' })
  await until('factory-reset result', async () => (await commandState(app, id, reset.id)) === 'succeeded')
  await until('back in setup', () => box.snapshot.state === 'setup' && !box.snapshot.claim.claimed)
  await until('gateway stopped', () => box.gateway!.status === 'stopped')
  t.pass('factory-reset returns the box to claimable, gateway stopped')
  await until('the box leaves the broker', () => !app.devices.broker.isConnected(id))
})

t.test('while the cloud is down the gateway keeps running, and the box reconnects when it returns', async (t) => {
  const dir = await tempDir(t, 'box-outage-')
  const config = { databaseUrl: `sqlite:${join(dir, 'cloud.sqlite')}`, mqttPort: await freePort() }
  const first = await startDevicesApp(t, { config })
  const { file, credentials } = await registeredBoxCredentials(first, dir)
  const id = credentials.deviceId
  const box = await startSimulatedBox(t, file, join(dir, 'data'), {
    gateway: { command: process.execPath, args: [FAKE_GATEWAY], port: await freePort(), healthPath: '/healthz' }
  })
  await fetch(`${box.setupUrl}api/wifi`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ssid: 'HomeNet', password: 'correct horse battery' }) })
  await until('the MQTT session', () => first.devices.broker.isConnected(id) && first.devices.broker.isSubscribed(id, configTopic(id)), 30_000)
  await publishConfig(first, id, { version: 1, claim: { claimed: true, owner: 'ann@example.com' } })
  await box.whenState('claimed')
  await box.gateway!.whenHealthy(30_000)
  const pid = box.gateway!.pid

  await first.close()
  await until('the box notices', () => !box.cloud!.connected)
  await new Promise((resolve) => setTimeout(resolve, 1000))
  t.equal(box.snapshot.state, 'claimed', 'the box stays claimed')
  t.same([box.gateway!.status, box.gateway!.pid], ['running', pid], 'the same gateway keeps running')

  const second = await startDevicesApp(t, { config })
  await until('the box is back', () => second.devices.broker.isConnected(id), 60_000)
  t.pass('it reconnected with a fresh token once the cloud returned')
})
