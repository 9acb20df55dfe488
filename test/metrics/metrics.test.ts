// /metrics after real activity: HTTP requests, a box on the real MQTT broker with a device JWT
// (telemetry, a dropped payload, refused auth and subscription, a command and its result) and an
// instance on the local Docker engine with the stand-in image; requests and a WebSocket proxied to
// an instance, upstream errors, a failed database query. Then who may scrape.
import net from 'node:net'
import mqtt from 'mqtt'
import t from 'tap'
import { devices } from '../../plugins/devices/index.js'
import { allowList } from '../../plugins/metrics/access.js'
import { metrics } from '../../plugins/metrics/index.js'
import { scheduler } from '../../plugins/scheduler/index.js'
import { Tenant } from '../../plugins/tenants/entities.js'
import { tenants } from '../../plugins/tenants/index.js'
import { packageInfo } from '../../server/package-info.js'
import { commandResultTopic, commandsTopic, telemetryTopic } from '../../protocol/topics.js'
import type { Command } from '../../protocol/payloads.js'
import { closeClient, connectBox, mqttUrl, registerBoxes, telemetry, waitFor } from '../devices/helpers.js'
import { authHeaders, buildAuthApp, signUp } from '../helpers/auth.js'
import { buildTestApp } from '../helpers/app.js'
import { docker as dockerComponent, dockerImage, requireComponents } from '../helpers/components.js'
import { removeTenantResources } from '../helpers/docker.js'
import { cookieHeader, nextJson, openWebSocket, request } from '../helpers/local-hosts.js'
import { BROWSER, buildRouterApp, createInstance, signInOnInstance } from '../helpers/routing.js'
import { parseMetrics, sampleValue, type Sample } from '../helpers/prometheus.js'
import type { FastifyInstance } from 'fastify'

const STANDIN = 'openclaw-cloud/standin:latest'

async function scrape (app: FastifyInstance): Promise<Sample[]> {
  const response = await app.inject({ method: 'GET', url: '/metrics' })
  if (response.statusCode !== 200) throw new Error(`/metrics answered ${response.statusCode}: ${response.body}`)
  return parseMetrics(response.body)
}

t.test('every metric reflects a session of real activity', async (t) => {
  if (!(await requireComponents(t, dockerComponent, dockerImage(STANDIN)))) return
  // Before the app, so it runs after the app closed: a running reconciler would heal what it removes.
  const created: string[] = []
  t.teardown(async () => { for (const id of created) await removeTenantResources(id) })
  const app = await buildAuthApp(t, {
    installed: [devices, metrics, scheduler, tenants],
    config: {
      mqttHost: '127.0.0.1', mqttPort: 0, mqttMaxPayload: 1024,
      tenantImage: STANDIN, tenantPlans: { free: { memory: 128 * 1024 ** 2 } }, reconcileInterval: 1000
    }
  })
  await app.ready()
  const before = await scrape(app)
  t.equal(sampleValue(before, 'openclaw_cloud_mqtt_connections'), 0)
  t.equal(sampleValue(before, 'openclaw_cloud_tenants', { status: 'running' }), undefined, 'no instance yet')

  // HTTP: a matched route with a parameter, a 404 of that route, and unknown paths (one label value).
  for (let i = 0; i < 3; i++) t.equal((await app.inject('/health')).statusCode, 200)
  const alice = await signUp(app)
  t.equal((await app.inject({ url: '/api/tenants/00000000-0000-4000-8000-000000000000', headers: authHeaders(alice) })).statusCode, 404)
  t.equal((await app.inject('/no/such/page?token=abc')).statusCode, 404)
  t.equal((await app.inject('/another/unknown/page')).statusCode, 404)

  // A box on the real broker: telemetry, an oversized payload (dropped), a foreign subscription (refused).
  const [box, other] = await registerBoxes(app, 2)
  const client = await connectBox(app, box!)
  t.teardown(() => closeClient(client))
  const commands: Command[] = []
  client.on('message', (_topic, payload) => commands.push(JSON.parse(payload.toString()) as Command))
  await client.subscribeAsync(commandsTopic(box!.id), { qos: 1 })
  const refusal = await client.subscribeAsync(commandsTopic(other!.id), { qos: 1 }).then(() => undefined, (err: { packet?: { granted?: number[] } }) => err)
  t.same(refusal?.packet?.granted, [128], 'another box\'s topic is refused (SUBACK 0x80)')
  await client.publishAsync(telemetryTopic(box!.id), JSON.stringify(telemetry()), { qos: 1 })
  await client.publishAsync(telemetryTopic(box!.id), JSON.stringify(telemetry({ gateway: { status: 'running', restarts: 0, note: 'x'.repeat(2000) } as never })), { qos: 1 })
  // A box with a token signed by another key is refused at CONNECT.
  const impostor = mqtt.connectAsync(mqttUrl(app), { clientId: other!.id, username: other!.id, password: await other!.token({ privateKey: box!.privateKey }), reconnectPeriod: 0 })
  await t.rejects(impostor, /Bad username or password/)
  // A command and its result: one round trip.
  const command = await app.devices.commands.create({ deviceId: box!.id, name: 'restart-gateway' })
  await waitFor('the command', () => commands.length === 1)
  await client.publishAsync(commandResultTopic(box!.id, command.id), JSON.stringify({ id: command.id, status: 'succeeded', ts: Date.now() }), { qos: 1 })
  await waitFor('the result', async () => (await app.devices.commands.get(box!.id, command.id))?.state === 'succeeded')
  await app.devices.presence.flush()

  // An instance on the local Docker engine, up to routable.
  const posted = await app.inject({ method: 'POST', url: '/api/tenants', headers: authHeaders(alice), payload: { plan: 'free' } })
  t.equal(posted.statusCode, 202, posted.body)
  created.push(posted.json<{ id: string }>().id)
  await waitFor('the instance to be routable', async () => sampleValue(await scrape(app), 'openclaw_cloud_tenant_spawn_duration_seconds_count') === 1, 30_000)

  const after = await scrape(app)
  const value = (name: string, labels?: Record<string, string>): number | undefined => sampleValue(after, name, labels)
  t.equal(value('openclaw_cloud_http_request_duration_seconds_count', { route: '/health', method: 'GET', status_code: '200' }), 3)
  t.equal(value('openclaw_cloud_http_request_duration_seconds_count', { route: '/api/tenants/:id', method: 'GET', status_code: '404' }), 1)
  t.equal(value('openclaw_cloud_http_request_duration_seconds_count', { route: 'unmatched', method: 'GET', status_code: '404' }), 2)
  t.notOk(after.some((sample) => Object.values(sample.labels).some((label) => label.includes('/no/such/page'))), 'raw URLs never become labels')

  t.equal(value('openclaw_cloud_devices', { state: 'online' }), 1, 'the box that connected')
  t.equal(value('openclaw_cloud_devices', { state: 'registered' }), 1, 'the box that never connected')
  t.equal(value('openclaw_cloud_devices_connected'), 1)
  t.equal(value('openclaw_cloud_mqtt_connections'), 1)
  t.equal(value('openclaw_cloud_mqtt_messages_received_total'), 2, 'the telemetry sample and the command result')
  t.equal(value('openclaw_cloud_mqtt_messages_sent_total'), 1, 'the command')
  t.equal(value('openclaw_cloud_mqtt_payloads_dropped_total'), 1)
  t.equal(value('openclaw_cloud_mqtt_rejected_total', { reason: 'auth' }), 1)
  t.equal(value('openclaw_cloud_mqtt_rejected_total', { reason: 'subscribe_acl' }), 1)
  t.equal(value('openclaw_cloud_mqtt_rejected_total', { reason: 'publish_acl' }), 0)
  t.equal(value('openclaw_cloud_device_command_round_trip_seconds_count', { status: 'succeeded' }), 1)
  const roundTrip = value('openclaw_cloud_device_command_round_trip_seconds_sum', { status: 'succeeded' })!
  t.ok(roundTrip > 0 && roundTrip < 10, `round trip ${roundTrip}s is plausible`)

  t.equal(value('openclaw_cloud_tenants', { status: 'running' }), 1)
  t.ok(value('openclaw_cloud_reconcile_steps_total', { step: 'createContainer' })! >= 1, 'the container was created by a reconcile step')
  t.equal(value('openclaw_cloud_reconcile_step_failures_total', { step: 'createContainer' }), undefined, 'no step failed')
  t.equal(value('openclaw_cloud_tenant_spawn_duration_seconds_count'), 1)
  const spawn = value('openclaw_cloud_tenant_spawn_duration_seconds_sum')!
  t.ok(spawn > 0 && spawn < 30, `spawn took ${spawn}s`)
  t.equal(value('openclaw_cloud_workers', { state: 'active' }), 1, 'the local Docker engine')
  t.equal(value('openclaw_cloud_worker_instances', { worker: 'local' }), 1)
  t.equal(value('openclaw_cloud_worker_reserved_memory_bytes', { worker: 'local' }), 128 * 1024 ** 2)
  t.ok(value('openclaw_cloud_worker_capacity_memory_bytes', { worker: 'local' })! > 128 * 1024 ** 2)
  t.ok(value('openclaw_cloud_process_resident_memory_bytes')! > 0, 'process metrics')
  t.ok(value('openclaw_cloud_nodejs_eventloop_lag_seconds') !== undefined, 'runtime metrics')
  t.equal(value('openclaw_cloud_build_info', { version: packageInfo.version }), 1)
})

t.test('proxied requests, upstream errors and failed database queries', async (t) => {
  if (!(await requireComponents(t, dockerComponent, dockerImage(STANDIN)))) return
  const cleanup: string[] = []
  t.teardown(async () => { for (const id of cleanup) await removeTenantResources(id) })
  const app = await buildRouterApp(t, { tenantImage: STANDIN, tenantPlans: { free: { memory: 128 * 1024 ** 2 } }, reconcileInterval: 1000, routingUpstreamTimeout: 1000 }, [metrics])
  const alice = await signUp(app)
  const instance = await createInstance(app, alice, 'free', cleanup)
  t.equal(instance.events.at(-1), 'routable', instance.events.join(' '))
  const before = await scrape(app)
  t.equal(sampleValue(before, 'openclaw_cloud_proxy_requests_total', { protocol: 'http', outcome: 'forwarded' }), 0)
  t.equal(sampleValue(before, 'openclaw_cloud_db_query_errors_total'), 0)

  // The owner signs in on the instance host (not proxied: redirects and the callback), then uses it.
  const cookie = cookieHeader((await signInOnInstance(instance.url, alice.cookie)).jar)
  for (let i = 0; i < 3; i++) t.equal((await request(`${instance.url}/echo`, { headers: { cookie } })).status, 200)
  const socket = await openWebSocket(instance.url.replace(/^http/, 'ws') + '/ws', { cookie, origin: instance.url })
  t.equal((await nextJson<{ type: string }>(socket)).type, 'hello')
  socket.close()

  // The instance stops answering: first nothing listens (502), then it accepts and stays silent (504).
  const silent = net.createServer(() => undefined)
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { silent.close() })
  const setUpstream = async (upstream: string): Promise<void> => {
    await app.orm.em.fork().nativeUpdate(Tenant, { id: instance.id }, { upstream })
    await app.instanceRouter.table.refresh(instance.id)
  }
  await setUpstream('http://127.0.0.1:1')
  t.equal((await request(`${instance.url}/`, { headers: { ...BROWSER, cookie } })).status, 502)
  await setUpstream(`http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`)
  t.equal((await request(`${instance.url}/`, { headers: { cookie } })).status, 504)

  // A query the database refuses.
  await t.rejects(app.orm.em.fork().getConnection().execute('select * from no_such_table'))

  const after = await scrape(app)
  const value = (name: string, labels?: Record<string, string>): number | undefined => sampleValue(after, name, labels)
  t.equal(value('openclaw_cloud_proxy_requests_total', { protocol: 'http', outcome: 'forwarded' }), 3, 'the three requests to /echo')
  t.equal(value('openclaw_cloud_proxy_requests_total', { protocol: 'websocket', outcome: 'forwarded' }), 1)
  t.equal(value('openclaw_cloud_proxy_requests_total', { protocol: 'http', outcome: 'unreachable' }), 1)
  t.equal(value('openclaw_cloud_proxy_requests_total', { protocol: 'http', outcome: 'timeout' }), 1)
  t.equal(value('openclaw_cloud_proxy_requests_total', { protocol: 'http', outcome: 'client_gone' }), 0)
  t.equal(value('openclaw_cloud_proxy_upstream_errors_total', { reason: 'unreachable' }), 1)
  t.equal(value('openclaw_cloud_proxy_upstream_errors_total', { reason: 'timeout' }), 1)
  t.equal(value('openclaw_cloud_db_query_errors_total'), 1)
  t.notOk(after.some((sample) => sample.name.startsWith('openclaw_cloud_proxy_') && Object.values(sample.labels).some((label) => label.includes(instance.slug))), 'no instance in any label')
})

t.test('only the token or an allowed address may scrape', async (t) => {
  const token = 'scrape-token-0123456789'
  const app = await buildTestApp(t, { installed: [metrics], config: { metricsToken: token, metricsAllow: ['10.1.0.0/16', '::1'] } })
  const from = (remoteAddress: string, authorization?: string) => app.inject({ url: '/metrics', remoteAddress, headers: authorization === undefined ? {} : { authorization } })

  const stranger = await from('203.0.113.7')
  t.equal(stranger.statusCode, 401)
  t.equal(stranger.headers['www-authenticate'], 'Bearer realm="metrics"')
  t.match(stranger.json(), { code: 'METRICS_UNAUTHORIZED', message: /METRICS_TOKEN/ })
  t.notMatch(stranger.body, /openclaw_cloud_/, 'no metric leaks')
  t.equal((await from('203.0.113.7', 'Bearer wrong-token-0123456789')).statusCode, 401)
  t.equal((await from('127.0.0.1')).statusCode, 401, 'loopback is not allowed once METRICS_ALLOW says otherwise')
  t.equal((await from('203.0.113.7', `Bearer ${token}`)).statusCode, 200)
  t.equal((await from('10.1.200.3')).statusCode, 200, 'inside the allowed range')
  t.equal((await from('::ffff:10.1.0.9')).statusCode, 200, 'IPv4-mapped IPv6 address')
  t.equal((await from('::1')).statusCode, 200)
  t.match((await from('::1')).headers['content-type'], /^text\/plain; version=0\.0\.4/)
})

t.test('by default only loopback may scrape', async (t) => {
  const app = await buildTestApp(t, { installed: [metrics] })
  t.equal((await app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' })).statusCode, 200)
  const outside = await app.inject({ url: '/metrics', remoteAddress: '192.0.2.1' })
  t.equal(outside.statusCode, 403)
  t.match(outside.json(), { code: 'METRICS_FORBIDDEN', message: /192\.0\.2\.1.*METRICS_ALLOW/ })
})

t.test('a malformed allow-list entry is named', async (t) => {
  for (const entry of ['10.0.0.0/33', 'localhost', '::1/129', '10.0.0.0/x']) {
    t.throws(() => allowList(['127.0.0.1', entry]), { message: `METRICS_ALLOW entry "${entry}" is not an IP address or CIDR range` })
  }
  t.ok(allowList(['fd00::/8']).check('fd12::1', 'ipv6'))
})
