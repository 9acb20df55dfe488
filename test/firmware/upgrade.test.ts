// `upgrade-gateway` end to end: the real server sends the command, a simulated box installs the
// version with real npm (from tiny local `openclaw` tarballs made with `npm pack`), its real
// supervisor switches to it and health-checks it; a version that never becomes healthy is rolled
// back, one that cannot be installed changes nothing, and the cloud learns the running version.
import type { FastifyInstance } from 'fastify'
import { execFile } from 'node:child_process'
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import type { DesiredConfig } from '../../protocol/payloads.js'
import { configTopic } from '../../protocol/topics.js'
import { gatewayRoot } from '../../firmware/gateway/versions.js'
import { startDevicesApp, registeredBoxCredentials } from '../devices/helpers.js'
import { tempDir } from '../helpers/app.js'
import type { Box } from '../../firmware/daemon.js'
import { startSimulatedBox, until } from '../helpers/box-app.js'
import { signUp } from '../helpers/auth.js'
import { freePort } from '../helpers/process.js'

const run = promisify(execFile)
// Real npm installs on a shared 2-core machine: the two boxes' runs together take minutes.
t.setTimeout(360_000)

/** A stand-in `openclaw` package: its gateway answers /healthz with its version, or 503 when `healthy` is false. */
async function packOpenClaw (dir: string, version: string, healthy: boolean): Promise<void> {
  const source = join(dir, `src-${version}`)
  await mkdir(source, { recursive: true })
  await writeFile(join(source, 'package.json'), JSON.stringify({ name: 'openclaw', version, type: 'module', bin: { openclaw: 'openclaw.mjs' } }))
  await writeFile(join(source, 'openclaw.mjs'), `#!/usr/bin/env node
import http from 'node:http'
const server = http.createServer((req, res) => {
  if (req.url !== '/healthz') { res.writeHead(404); res.end(); return }
  res.writeHead(${healthy ? 200 : 503}, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ ok: ${healthy}, version: ${JSON.stringify(version)}, pid: process.pid }))
})
server.listen(Number(process.env.OPENCLAW_GATEWAY_PORT), '127.0.0.1', () => console.log('openclaw ${version} listening'))
process.on('SIGTERM', () => server.close(() => process.exit(0)))
`)
  await run('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: source })
}

async function publishConfig (app: FastifyInstance, deviceId: string, config: DesiredConfig): Promise<void> {
  await app.devices.broker.publish({ topic: configTopic(deviceId), payload: Buffer.from(JSON.stringify(config)), qos: 1, retain: true })
}

/**
 * A registered box whose gateway is a packed `openclaw` from `tarballs`, installed with `npm`: started,
 * on Wi-Fi, with its MQTT session up.
 */
async function onlineBoxWithPackedGateway (t: Parameters<typeof startSimulatedBox>[0], app: FastifyInstance, dir: string, tarballs: string, install: { npm: string, healthTimeoutMs: number, retryMs?: number }): Promise<{ box: Box, id: string, claimCode: string, port: number, dataDir: string }> {
  const { file, credentials, claimCode } = await registeredBoxCredentials(app, dir)
  const id = credentials.deviceId
  const port = await freePort()
  const dataDir = join(dir, 'data')
  const box = await startSimulatedBox(t, file, dataDir, {
    gateway: {
      command: process.execPath,
      args: ['{package}/openclaw.mjs', 'gateway'],
      port,
      healthPath: '/healthz',
      install: { packageSpec: join(tarballs, 'openclaw-{version}.tgz'), cache: join(dir, 'npm-cache'), installTimeoutMs: 120_000, ...install }
    }
  })
  await fetch(`${box.setupUrl}api/wifi`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ssid: 'HomeNet', password: 'correct horse battery' }) })
  await until('the MQTT session', () => app.devices.broker.isSubscribed(id, configTopic(id)), 30_000)
  return { box, id, claimCode, port, dataDir }
}

t.test('upgrade-gateway installs, switches, rolls back and reports the running version', async (t) => {
  const app = await startDevicesApp(t)
  const dir = await tempDir(t, 'box-upgrade-')
  const tarballs = join(dir, 'mirror')
  await mkdir(tarballs)
  await packOpenClaw(tarballs, '2026.9.6', true)
  await packOpenClaw(tarballs, '2026.10.0', true)
  await packOpenClaw(tarballs, '2026.11.0', false)
  const { box, id, port, dataDir } = await onlineBoxWithPackedGateway(t, app, dir, tarballs, { npm: 'npm', healthTimeoutMs: 8000 })

  const upgrade = async (version: string): Promise<{ state: string, message?: string | null, output?: Record<string, unknown> | null }> => {
    const command = await app.devices.commands.create({ deviceId: id, name: 'upgrade-gateway', params: { version } })
    return await until(`the result of upgrade-gateway ${version}`, async () => {
      const seen = await app.devices.commands.get(id, command.id)
      return seen !== null && seen.state !== 'pending' && seen.state !== 'delivered' ? seen : undefined
    }, 120_000)
  }
  const running = async (): Promise<{ version: string, pid: number }> => await (await fetch(`http://127.0.0.1:${port}/healthz`)).json() as { version: string, pid: number }
  const reported = async (): Promise<string | null | undefined> => { await app.devices.presence.flush(); return (await app.devices.find(id))?.gatewayVersion }
  const installed = async (): Promise<string[]> => (await readdir(join(gatewayRoot(dataDir), 'versions'))).sort()

  await t.test('an unclaimed box installs the first version without starting it; the claim starts it', async (t) => {
    const first = await upgrade('2026.9.6')
    t.match(first, { state: 'succeeded', message: 'openclaw 2026.9.6 is installed; the gateway is stopped, so it runs from the next start', output: { version: '2026.9.6', previous: null, started: false } })
    t.equal(box.gateway!.status, 'stopped', 'no gateway on an unclaimed box')
    await until('the cloud to know the version', async () => (await reported()) === '2026.9.6')
    await publishConfig(app, id, { version: 1, claim: { claimed: true, owner: 'ann@example.com' } })
    await box.whenState('claimed')
    await box.gateway!.whenHealthy(30_000)
    t.equal((await running()).version, '2026.9.6', 'the gateway answering is the installed version')
  })

  await t.test('a newer version replaces it', async (t) => {
    const before = await running()
    const next = await upgrade('2026.10.0')
    t.match(next, { state: 'succeeded', message: 'openclaw 2026.10.0 is running (was 2026.9.6)', output: { version: '2026.10.0', previous: '2026.9.6' } })
    const now = await running()
    t.equal(now.version, '2026.10.0')
    t.not(now.pid, before.pid, 'a new gateway process')
    t.equal(box.gateway!.status, 'running')
    await until('the cloud to know the new version', async () => (await reported()) === '2026.10.0')
    t.same(await installed(), ['2026.10.0', '2026.9.6'], 'the previous version is kept for a rollback')
  })

  await t.test('a version that never becomes healthy is rolled back', async (t) => {
    const broken = await upgrade('2026.11.0')
    t.equal(broken.state, 'failed')
    t.match(broken.message, /^openclaw 2026\.11\.0 did not become healthy within 8 s; rolled back to 2026\.10\.0, which is healthy again$/)
    t.match(broken.output, { version: '2026.10.0', rolledBack: true, failedVersion: '2026.11.0' })
    t.equal((await running()).version, '2026.10.0', 'the previous version serves again')
    t.equal(box.gateway!.status, 'running')
    t.equal(await reported(), '2026.10.0', 'the cloud still sees the version that runs')
    t.same(await installed(), ['2026.10.0', '2026.9.6'], 'the failed version is removed')
  })

  await t.test('a version that cannot be installed changes nothing', async (t) => {
    const before = await running()
    const missing = await upgrade('2026.12.0')
    t.comment(missing.message)
    t.equal(missing.state, 'failed')
    t.match(missing.message, /^installing openclaw 2026\.12\.0 failed: .+; nothing was switched, openclaw 2026\.10\.0 keeps running$/)
    t.match(missing.message, /openclaw-2026\.12\.0\.tgz/, 'npm\'s reason names what it could not find')
    t.match(missing.output, { version: '2026.10.0', rolledBack: false })
    t.same(await running(), before, 'the same gateway process kept serving')
    t.same(await installed(), ['2026.10.0', '2026.9.6'], 'no partial install left behind')
  })

  await t.test('the running version again is a no-op; going back needs no install', async (t) => {
    const before = await running()
    t.match(await upgrade('2026.10.0'), { state: 'succeeded', message: 'openclaw 2026.10.0 is already running' })
    t.same(await running(), before, 'not restarted')
    t.match(await upgrade('2026.9.6'), { state: 'succeeded', output: { version: '2026.9.6', previous: '2026.10.0' } })
    t.equal((await running()).version, '2026.9.6')
  })

  await t.test('telemetry carries the version', async (t) => {
    await until('telemetry with the version', async () => {
      await app.devices.telemetry.flush()
      return ((await app.devices.telemetry.latest(id))?.data as { gateway?: { version?: string } } | undefined)?.gateway?.version === '2026.9.6'
    }, 30_000)
    t.pass('the telemetry sample names 2026.9.6')
  })

  await t.test('a version string that is not an exact version is refused by the server', async (t) => {
    for (const version of ['latest', '2026.9', '../../etc/passwd']) {
      await t.rejects(app.devices.commands.create({ deviceId: id, name: 'upgrade-gateway', params: { version } }), /params\/version/, `"${version}"`)
    }
  })

  const config = JSON.parse(await readFile(join(gatewayRoot(dataDir), 'home', '.openclaw', 'openclaw.json'), 'utf8')) as Record<string, unknown>
  t.match(config, { gateway: { bind: 'loopback', port, trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', allowLoopback: true } } } }, 'the gateway is configured to trust only the tunnel on loopback')
})

t.test('a claimed box installs the cloud\'s desired version by itself, and backs off from one that fails', async (t) => {
  const app = await startDevicesApp(t, { config: { boxGatewayVersion: '2026.9.6' } })
  const dir = await tempDir(t, 'box-desired-')
  const tarballs = join(dir, 'mirror')
  await mkdir(tarballs)
  await packOpenClaw(tarballs, '2026.9.6', true)
  await packOpenClaw(tarballs, '2026.10.0', true)
  // npm, with each install it is asked for written down (time in ms and the package spec).
  const attempts = join(dir, 'npm-attempts.log')
  const npm = join(dir, 'npm-logged')
  await writeFile(npm, `#!/bin/sh\necho "$(date +%s%3N) $*" >> ${JSON.stringify(attempts)}\nexec npm "$@"\n`)
  await chmod(npm, 0o755)
  const installsOf = async (version: string): Promise<number[]> => (await readFile(attempts, 'utf8').catch(() => '')).split('\n')
    .filter((line) => line.includes(`openclaw-${version}.tgz`)).map((line) => Number(line.split(' ')[0]))

  const { box, id, claimCode: code, port } = await onlineBoxWithPackedGateway(t, app, dir, tarballs, { npm, healthTimeoutMs: 15_000, retryMs: 2000 })
  const runningVersion = async (): Promise<string | undefined> => {
    const answer = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined)
    return answer?.ok === true ? ((await answer.json()) as { version: string }).version : undefined
  }
  t.same(await installsOf('2026.9.6'), [], 'an unclaimed box downloads nothing')

  const owner = await signUp(app)
  await app.devices.claims.claimWithCode(owner.user.id, id, code)
  await box.whenState('claimed')
  await until('the desired version to run', async () => (await runningVersion()) === '2026.9.6', 120_000)
  t.pass('the freshly claimed box runs OpenClaw 2026.9.6 without any command')
  await until('the cloud to know the version', async () => { await app.devices.presence.flush(); return (await app.devices.find(id))?.gatewayVersion === '2026.9.6' })
  t.equal((await installsOf('2026.9.6')).length, 1, 'installed once')

  const desired = (await app.devices.claims.desiredConfig((await app.devices.find(id))!))
  await publishConfig(app, id, { ...desired, version: desired.version + 1, gateway: { ...desired.gateway, version: '2026.12.0' } })
  const failed = await until('three failed installs of a version the mirror lacks', async () => { const seen = await installsOf('2026.12.0'); return seen.length >= 3 ? seen : undefined }, 60_000)
  t.ok(failed[1]! - failed[0]! >= 2000, `the first retry waits the retry delay (${failed[1]! - failed[0]!} ms)`)
  t.ok(failed[2]! - failed[1]! >= 4000, `the next one twice as long (${failed[2]! - failed[1]!} ms)`)
  t.equal(await runningVersion(), '2026.9.6', 'the running version keeps serving')

  await publishConfig(app, id, { ...desired, version: desired.version + 2, gateway: { ...desired.gateway, version: '2026.10.0' } })
  await until('the new desired version to run', async () => (await runningVersion()) === '2026.10.0', 120_000)
  // The switch is over once the box's own health check saw it: stopping the box earlier would cut the upgrade short.
  await box.gateway!.whenHealthy(30_000)
  t.pass('a new desired version is followed at once, without waiting out the backoff')
})
