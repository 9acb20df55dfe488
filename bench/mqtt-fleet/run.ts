// Fleet simulator and benchmark (issue 6 "Performance"): connects N boxes with real device JWTs to
// the embedded broker, publishes telemetry, sends commands that the boxes answer, and measures
// connect rate, messages/s, command round trip (created -> result recorded) and the server's RSS
// and CPU; then runs the same client load against a second Mosquitto (no auth, a temporary config
// on a free port) and prints both side by side. The server and the boxes run in processes of
// their own (server.ts, boxes.ts), so the server's RSS and CPU are its own.
//   npx tsx bench/mqtt-fleet/run.ts [--boxes 10000] [--messages 5] [--commands 200] [--box-processes 2] [--cpu-prof DIR]
import { fork, spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import net, { type AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import mqtt from 'mqtt'
import { generateDeviceId } from '../../protocol/device-id.js'
import { signDeviceJwt } from '../../protocol/device-jwt.js'
import { exportPublicKeyRaw, generateDeviceKeyPair } from '../../protocol/device-keys.js'
import { commandsTopic, parseDeviceTopic } from '../../protocol/topics.js'
import type { BoxesReply, BoxesRequest } from './boxes.js'
import type { ServerReply, ServerRequest } from './server.js'

const { values } = parseArgs({
  options: {
    boxes: { type: 'string', default: '10000' },
    messages: { type: 'string', default: '5' },
    commands: { type: 'string', default: '200' },
    'box-processes': { type: 'string', default: '2' },
    'cpu-prof': { type: 'string' }
  }
})
const N = Number(values.boxes)
const MESSAGES = Number(values.messages)
const COMMANDS = Number(values.commands)
const BOX_PROCESSES = Number(values['box-processes'])
const COMMAND_TIMEOUT_MS = 10_000
const here = path.dirname(new URL(import.meta.url).pathname)
const tsx = ['--import', 'tsx']

interface Fleet { ids: string[], passwords: string[] }
interface Target {
  name: string
  port: number
  pid: number
  rss: () => Promise<number>
  /** Creates one command for a box; resolves once the box's result is back where commands are made. */
  command: (deviceId: string) => Promise<void>
  stop: () => Promise<void>
}
interface Result { loadAtStart: number, connectPerSecond: number, messagesPerSecond: number, p50: number, p99: number, lost: number, rssMiB: number, connectCpu: number, telemetryCpu: number }

/** Every socket is a descriptor: the server (or Mosquitto) holds one per box. */
async function checkDescriptorLimit (): Promise<void> {
  const limits = await readFile('/proc/self/limits', 'utf8')
  const soft = Number(/Max open files\s+(\d+)/.exec(limits)?.[1] ?? Infinity)
  if (soft < N + 1000) {
    console.error(`ulimit -n is ${soft}; ${N} boxes need at least ${N + 1000} descriptors in the server. Run \`ulimit -n ${N + 1000}\` (raise the hard limit as root if needed) and start again.`)
    process.exit(1)
  }
}

/** User + system CPU seconds the process has used so far. */
async function cpuSeconds (pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

function ask<Reply extends { kind: string }> (child: ChildProcess, request: object, match: (reply: Reply) => boolean): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => { reject(new Error(`bench process ${child.pid} exited (${code}) before answering`)) }
    const listener = (reply: Reply): void => {
      if (!match(reply)) return
      child.off('message', listener)
      child.off('exit', onExit)
      resolve(reply)
    }
    child.on('message', listener)
    child.once('exit', onExit)
    child.send(request)
  })
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN

async function withTimeout (work: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), ms) })
  try {
    return await Promise.race([work.then(() => true), timedOut])
  } finally {
    clearTimeout(timer)
  }
}

async function measure (target: Target, fleet: Fleet): Promise<Result> {
  const boxes = Array.from({ length: BOX_PROCESSES }, () => fork(path.join(here, 'boxes.ts'), [], { execArgv: tsx, stdio: 'inherit' }))
  const all = (request: (i: number) => BoxesRequest): Promise<unknown> =>
    Promise.all(boxes.map((child, i) => ask<BoxesReply>(child, request(i), (reply) => reply.kind === request(i).kind)))
  const slice = (i: number): [number, number] => [Math.floor(i * N / BOX_PROCESSES), Math.floor((i + 1) * N / BOX_PROCESSES)]
  try {
    // The machine may be shared: each broker's figures are read against the load it ran under.
    const loadAtStart = os.loadavg()[0]!
    let cpu = await cpuSeconds(target.pid)
    let started = performance.now()
    await all((i) => ({ kind: 'connect', port: target.port, ids: fleet.ids.slice(...slice(i)), passwords: fleet.passwords.slice(...slice(i)) }))
    const connectPerSecond = N / ((performance.now() - started) / 1000)
    const connectCpu = await cpuSeconds(target.pid) - cpu

    cpu = await cpuSeconds(target.pid)
    started = performance.now()
    await all(() => ({ kind: 'publish', messages: MESSAGES }))
    const messagesPerSecond = N * MESSAGES / ((performance.now() - started) / 1000)
    const telemetryCpu = await cpuSeconds(target.pid) - cpu

    const rtts: number[] = []
    let lost = 0
    for (let c = 0; c < COMMANDS; c++) {
      const sent = performance.now()
      if (await withTimeout(target.command(fleet.ids[(c * 7919) % N]!), COMMAND_TIMEOUT_MS)) rtts.push(performance.now() - sent)
      else lost++
    }
    rtts.sort((a, b) => a - b)
    const rssMiB = (await target.rss()) / 1024 / 1024
    await all(() => ({ kind: 'end' }))
    return { loadAtStart, connectPerSecond, messagesPerSecond, p50: quantile(rtts, 0.5), p99: quantile(rtts, 0.99), lost, rssMiB, connectCpu, telemetryCpu }
  } finally {
    for (const child of boxes) child.kill()
  }
}

async function startOurs (dir: string, fleet: Fleet, publicKeys: string[]): Promise<Target> {
  const manifestFile = path.join(dir, 'manifest.json')
  await writeFile(manifestFile, JSON.stringify({ batchId: 'bench', model: 'bench', devices: fleet.ids.map((deviceId, i) => ({ deviceId, publicKey: publicKeys[i], claimCodeHash: 'scrypt$1024$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA' })) }))
  const profile = values['cpu-prof'] === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`]
  const child = fork(path.join(here, 'server.ts'), [manifestFile, dir], { execArgv: [...tsx, ...profile], stdio: 'inherit' })
  const request = <K extends ServerReply['kind']>(message: ServerRequest, kind: K, match: (reply: Extract<ServerReply, { kind: K }>) => boolean = () => true): Promise<Extract<ServerReply, { kind: K }>> =>
    ask<ServerReply>(child, message, (reply) => reply.kind === kind && match(reply as Extract<ServerReply, { kind: K }>)) as Promise<Extract<ServerReply, { kind: K }>>
  const { port } = await new Promise<{ port: number }>((resolve) => child.once('message', resolve))
  return {
    name: 'openclaw-cloud (Aedes)',
    port,
    pid: child.pid!,
    rss: async () => (await request({ kind: 'rss' }, 'rss')).rss,
    command: async (deviceId) => {
      const ref = randomUUID()
      await request({ kind: 'command', deviceId, ref }, 'command', (reply) => reply.ref === ref)
    },
    stop: async () => { child.send({ kind: 'stop' } satisfies ServerRequest); await new Promise((resolve) => child.once('exit', resolve)) }
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
  // The cloud side: publishes commands and waits for the boxes' results, as our server does.
  const cloud = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'bench-cloud' })
  const waiting = new Map<string, () => void>()
  cloud.on('message', (topic) => {
    const parsed = parseDeviceTopic(topic)
    if (parsed?.kind === 'command-result') waiting.get(parsed.commandId!)?.()
  })
  await cloud.subscribeAsync('devices/+/commands/+/result', { qos: 1 })
  return {
    name: 'Mosquitto (no auth)',
    port,
    pid: child.pid!,
    rss: async () => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${child.pid}/status`, 'utf8'))![1]) * 1024,
    command: async (deviceId) => {
      const id = randomUUID()
      const result = new Promise<void>((resolve) => waiting.set(id, resolve))
      await cloud.publishAsync(commandsTopic(deviceId), JSON.stringify({ id, name: 'restart-gateway', params: {}, issuedAt: Date.now(), expiresAt: Date.now() + 60_000 }), { qos: 1 })
      await result
      waiting.delete(id)
    },
    stop: async () => { await cloud.endAsync(true); child.kill('SIGTERM'); await new Promise((resolve) => child.once('exit', resolve)) }
  }
}

await checkDescriptorLimit()
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
  console.log(`\n${N} boxes in ${BOX_PROCESSES} processes, ${MESSAGES} telemetry messages each (QoS 1), ${COMMANDS} commands, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, Node ${process.version}\n`)
  console.log(`| | ${results[0]![0]} | ${results[1]![0]} | ratio |\n|---|---|---|---|`)
  console.log(row('connects/s', (r) => r.connectPerSecond))
  console.log(row('server CPU s for the connects', (r) => r.connectCpu, 1))
  console.log(row('messages/s', (r) => r.messagesPerSecond))
  console.log(row('server CPU s for the messages', (r) => r.telemetryCpu, 1))
  console.log(row('command round trip p50 (ms)', (r) => r.p50, 1))
  console.log(row('command round trip p99 (ms)', (r) => r.p99, 1))
  console.log(`| commands without a result in ${COMMAND_TIMEOUT_MS / 1000} s | ${ours.lost} | ${theirs.lost} | |`)
  console.log(row('server RSS (MiB)', (r) => r.rssMiB, 1))
  console.log(`| load average (1 min) as its run began | ${ours.loadAtStart.toFixed(2)} | ${theirs.loadAtStart.toFixed(2)} | |`)
  console.log(`\nrerun: npx tsx bench/mqtt-fleet/run.ts --boxes ${N} --messages ${MESSAGES} --commands ${COMMANDS} --box-processes ${BOX_PROCESSES}`)
} finally {
  await rm(dir, { recursive: true, force: true })
}
