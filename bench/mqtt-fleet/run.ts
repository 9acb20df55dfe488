// Fleet simulator and benchmark (issue 6 "Performance"): connects N boxes with real device JWTs to
// the embedded broker, publishes telemetry, measures connect rate, messages/s, command round trip
// and server RSS; then runs the same client load against a second Mosquitto listener (no auth, a
// temporary config on a free port) and prints both side by side.
//   npx tsx bench/mqtt-fleet/run.ts [--boxes 2000] [--messages 5] [--commands 200]
import { fork, spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import net, { type AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import mqtt, { type MqttClient } from 'mqtt'
import { generateDeviceId } from '../../protocol/device-id.js'
import { signDeviceJwt } from '../../protocol/device-jwt.js'
import { exportPublicKeyRaw, generateDeviceKeyPair } from '../../protocol/device-keys.js'
import { commandsTopic, telemetryTopic } from '../../protocol/topics.js'

const { values } = parseArgs({ options: { boxes: { type: 'string', default: '2000' }, messages: { type: 'string', default: '5' }, commands: { type: 'string', default: '200' } } })
const N = Number(values.boxes)
const MESSAGES = Number(values.messages)
const COMMANDS = Number(values.commands)
const here = path.dirname(new URL(import.meta.url).pathname)

interface Fleet { ids: string[], passwords: string[] }
interface Target {
  name: string
  port: number
  rss: () => Promise<number>
  /** Sends one command to a box and resolves with the command id the box will see. */
  command: (deviceId: string, seq: number) => Promise<string>
  stop: () => Promise<void>
}
interface Result { connectPerSecond: number, messagesPerSecond: number, p50: number, p99: number, rssMiB: number }

const telemetry = JSON.stringify({ ts: Date.now(), cpu: { percent: 5 }, memory: { usedBytes: 1, totalBytes: 2 }, disk: { usedBytes: 1, totalBytes: 2 }, gateway: { status: 'running', restarts: 0 } })

async function connectAll (port: number, fleet: Fleet): Promise<MqttClient[]> {
  const clients: MqttClient[] = []
  // In waves, as boxes coming back after an outage would.
  for (let i = 0; i < fleet.ids.length; i += 200) {
    clients.push(...await Promise.all(fleet.ids.slice(i, i + 200).map((id, j) => mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      clientId: id, username: id, password: fleet.passwords[i + j], reconnectPeriod: 0, keepalive: 300, connectTimeout: 60_000
    }))))
  }
  return clients
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN

async function measure (target: Target, fleet: Fleet): Promise<Result> {
  let started = performance.now()
  const clients = await connectAll(target.port, fleet)
  const connectPerSecond = N / ((performance.now() - started) / 1000)
  await Promise.all(clients.map((client, i) => client.subscribeAsync(commandsTopic(fleet.ids[i]!), { qos: 1 })))

  started = performance.now()
  await Promise.all(clients.map(async (client, i) => {
    for (let m = 0; m < MESSAGES; m++) await client.publishAsync(telemetryTopic(fleet.ids[i]!), telemetry, { qos: 1 })
  }))
  const messagesPerSecond = N * MESSAGES / ((performance.now() - started) / 1000)

  const rtts: number[] = []
  for (let c = 0; c < COMMANDS; c++) {
    const index = (c * 7919) % N
    const client = clients[index]!
    const sent = performance.now()
    const arrived = new Promise<void>((resolve) => client.once('message', () => resolve()))
    await target.command(fleet.ids[index]!, c)
    await arrived
    rtts.push(performance.now() - sent)
  }
  rtts.sort((a, b) => a - b)
  const rssMiB = (await target.rss()) / 1024 / 1024
  await Promise.all(clients.map((client) => client.endAsync(true)))
  return { connectPerSecond, messagesPerSecond, p50: quantile(rtts, 0.5), p99: quantile(rtts, 0.99), rssMiB }
}

async function startOurs (dir: string, fleet: Fleet, publicKeys: string[]): Promise<Target> {
  const manifestFile = path.join(dir, 'manifest.json')
  await writeFile(manifestFile, JSON.stringify({ batchId: 'bench', model: 'bench', devices: fleet.ids.map((deviceId, i) => ({ deviceId, publicKey: publicKeys[i], claimCodeHash: 'scrypt$1024$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA' })) }))
  const child = fork(path.join(here, 'server.ts'), [manifestFile, dir], { execArgv: ['--import', 'tsx'], stdio: 'inherit' })
  const ask = <T>(request: object, kind: string, match: (reply: Record<string, unknown>) => boolean = () => true): Promise<T> => new Promise((resolve) => {
    const listener = (reply: Record<string, unknown>): void => { if (reply.kind === kind && match(reply)) { child.off('message', listener); resolve(reply as T) } }
    child.on('message', listener)
    if (Object.keys(request).length > 0) child.send(request)
  })
  const { port } = await ask<{ port: number }>({}, 'ready')
  return {
    name: 'openclaw-cloud (Aedes)',
    port,
    rss: async () => (await ask<{ rss: number }>({ kind: 'rss' }, 'rss')).rss,
    command: async (deviceId, seq) => (await ask<{ id: string }>({ kind: 'command', deviceId, seq }, 'command', (r) => r.seq === seq)).id,
    stop: async () => { child.send({ kind: 'stop' }); await new Promise((resolve) => child.once('exit', resolve)) }
  }
}

async function freePort (): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function startMosquitto (dir: string): Promise<Target> {
  const port = await freePort()
  const conf = path.join(dir, 'mosquitto.conf')
  await writeFile(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\nmax_connections -1\npersistence false\n`)
  const child: ChildProcess = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' })
  for (let i = 0; i < 50; i++) {
    if (await new Promise((resolve) => net.connect(port, '127.0.0.1').once('connect', function (this: net.Socket) { this.end(); resolve(true) }).once('error', () => resolve(false)))) break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const publisher = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'bench-cloud' })
  return {
    name: 'Mosquitto (no auth)',
    port,
    rss: async () => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${child.pid}/status`, 'utf8'))![1]) * 1024,
    command: async (deviceId, seq) => {
      const id = `cmd-${seq}`
      await publisher.publishAsync(commandsTopic(deviceId), JSON.stringify({ id, name: 'restart-gateway', params: {}, issuedAt: Date.now(), expiresAt: Date.now() + 60_000 }), { qos: 1 })
      return id
    },
    stop: async () => { await publisher.endAsync(true); child.kill('SIGTERM'); await new Promise((resolve) => child.once('exit', resolve)) }
  }
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'mqtt-fleet-'))
try {
  const keys = Array.from({ length: N }, () => generateDeviceKeyPair())
  const ids = keys.map(() => generateDeviceId())
  const passwords = await Promise.all(keys.map((key, i) => signDeviceJwt({ deviceId: ids[i]!, privateKey: key.privateKey, audience: 'http://bench.invalid', ttlSeconds: 3600 })))
  const fleet = { ids, passwords }

  const results: Array<[string, Result]> = []
  for (const start of [() => startOurs(dir, fleet, keys.map((key) => exportPublicKeyRaw(key.publicKey))), () => startMosquitto(dir)]) {
    const target = await start()
    try {
      results.push([target.name, await measure(target, fleet)])
    } finally {
      await target.stop()
    }
  }
  const [ours, theirs] = results.map(([, result]) => result) as [Result, Result]
  const row = (label: string, pick: (r: Result) => number, digits = 0): string =>
    `| ${label} | ${pick(ours).toFixed(digits)} | ${pick(theirs).toFixed(digits)} | ${(pick(ours) / pick(theirs)).toFixed(2)} |`
  console.log(`\n${N} boxes, ${MESSAGES} telemetry messages each (QoS 1), ${COMMANDS} commands, ${os.cpus().length} CPUs, Node ${process.version}\n`)
  console.log(`| | ${results[0]![0]} | ${results[1]![0]} | ratio |\n|---|---|---|---|`)
  console.log(row('connects/s', (r) => r.connectPerSecond))
  console.log(row('messages/s', (r) => r.messagesPerSecond))
  console.log(row('command round trip p50 (ms)', (r) => r.p50, 1))
  console.log(row('command round trip p99 (ms)', (r) => r.p99, 1))
  console.log(row('server RSS (MiB)', (r) => r.rssMiB, 1))
  console.log(`\nrerun: npx tsx bench/mqtt-fleet/run.ts --boxes ${N} --messages ${MESSAGES} --commands ${COMMANDS}`)
} finally {
  await rm(dir, { recursive: true, force: true })
}
