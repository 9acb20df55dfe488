// The real OpenClaw gateway image (scripts/images/build-gateway-image.sh) starts from a mounted
// state dir holding the config gatewayConfig() writes, and trusts the router's user header only
// for the owner, only from the Docker bridge gateway (where this host's requests come from).
import t from 'tap'
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { docker as dockerEngine, dockerImage, requireComponents } from '../helpers/components.js'
import { GATEWAY_CONFIG_PATH, GATEWAY_PORT, GATEWAY_STATE_DIR, gatewayConfig } from '../../server/gateway-config.js'
import { createNetwork, docker, memoryUsage, runContainer, waitForStatus } from '../helpers/docker.js'

// Keep in step with OPENCLAW_VERSION in scripts/images/build-gateway-image.sh.
const VERSION = process.env.OPENCLAW_VERSION ?? '2026.9.6'
const IMAGE = process.env.OPENCLAW_GATEWAY_IMAGE ?? `openclaw-cloud/openclaw:${VERSION}`
const OWNER = 'alice@example.com'
const ORIGIN = 'https://alice.apps.example.test'
// 10-20 s to /healthz on this 2-vCPU host when idle; 35+ s when other suites share it (tap runs two
// files at once), hence the margin.
const START_TIMEOUT_MS = Number(process.env.OPENCLAW_GATEWAY_START_TIMEOUT_MS ?? 60_000)

interface Readiness { ready?: boolean, failing?: string[], uptimeMs?: number, error?: { type: string } }

t.test('OpenClaw gateway image in trusted-proxy mode', { timeout: 120_000 }, async (t) => {
  if (!await requireComponents(t, dockerEngine, dockerImage(IMAGE))) return

  const network = await createNetwork(t)
  const stateDir = await mkdtemp(path.join(tmpdir(), 'openclaw-state-'))
  t.teardown(() => rm(stateDir, { recursive: true, force: true }))
  const config = gatewayConfig({ trustedProxies: [network.gateway], allowUsers: [OWNER], allowedOrigins: [ORIGIN] })
  const configFile = path.join(stateDir, path.basename(GATEWAY_CONFIG_PATH))
  await writeFile(configFile, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 })
  // The gateway runs as node (1000:1000) and writes its state (SQLite, logs) beside the config.
  if (process.getuid?.() === 0) {
    await chown(stateDir, 1000, 1000)
    await chown(configFile, 1000, 1000)
  }

  const started = performance.now()
  const gateway = await runContainer(t, {
    network,
    image: IMAGE,
    args: ['--memory', '2g', '--cpus', '2', '--volume', `${stateDir}:${GATEWAY_STATE_DIR}`]
  })
  const base = `http://${gateway.ip}:${GATEWAY_PORT}`

  try {
    await waitForStatus(`${base}/healthz`, { timeoutMs: START_TIMEOUT_MS, intervalMs: 250 })
  } catch (err) {
    t.comment(await gateway.logs())
    throw err
  }
  const liveMs = performance.now() - started
  t.comment(`docker run -> /healthz 200 in ${(liveMs / 1000).toFixed(1)} s`)
  t.pass(`/healthz answers 200 within ${START_TIMEOUT_MS / 1000} s`)

  // The router overwrites X-Forwarded-For with the browser's address and sets the user header.
  const readyz = async (headers: Record<string, string>): Promise<{ status: number, body: Readiness }> => {
    const res = await fetch(`${base}/readyz`, { headers })
    return { status: res.status, body: await res.json() as Readiness }
  }
  const asUser = (user: string): Record<string, string> => ({ 'x-forwarded-user': user, 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' })

  t.test('the owner, through the trusted proxy, gets the detailed /readyz view', async (t) => {
    let last = await readyz(asUser(OWNER))
    const deadline = performance.now() + 30_000
    while (last.body.ready !== true && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500))
      last = await readyz(asUser(OWNER))
    }
    t.equal(last.status, 200, 'ready')
    t.equal(last.body.ready, true)
    t.type(last.body.uptimeMs, 'number', 'authenticated view includes uptimeMs')
    t.same(last.body.failing, [], 'authenticated view lists failing subsystems (none)')
    t.comment(`docker run -> /readyz ready in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  })

  t.test('another user does not', async (t) => {
    const other = await readyz(asUser('mallory@example.com'))
    t.same(Object.keys(other.body), ['ready'], 'only the public readiness bit')
    t.equal(other.body.uptimeMs, undefined)
    t.equal(other.body.failing, undefined)
  })

  t.test('no user header: the public view; no forwarded client: rejected', async (t) => {
    const anonymous = await readyz({ 'x-forwarded-for': '203.0.113.7' })
    t.same(Object.keys(anonymous.body), ['ready'], 'public view only')
    const unattributed = await readyz({ 'x-forwarded-user': OWNER })
    t.equal(unattributed.status, 403, 'proxy-shaped traffic without X-Forwarded-For is refused')
    t.equal(unattributed.body.error?.type, 'proxy_attribution_required')
  })

  t.test('runs as node (uid 1000) from /app, state in the mounted dir', async (t) => {
    t.equal(await docker('inspect', gateway.id, '--format', '{{.Config.User}} {{.Config.WorkingDir}}'), 'node /app')
    t.equal(await docker('exec', gateway.id, 'node', '-p', 'process.getuid() + " " + process.env.HOME + " " + process.version.split(".")[0]'), '1000 /home/node v24')
    const version = await docker('exec', gateway.id, 'node', 'openclaw.mjs', '--version')
    t.match(version, new RegExp(`^OpenClaw ${VERSION.replaceAll('.', '\\.')}\\b`))
    const memory = await memoryUsage(gateway.id)
    t.comment(`memory in use: ${(memory / 1024 ** 2).toFixed(0)} MiB`)
    t.ok(memory < 2 * 1024 ** 3, 'fits the 2 GiB limit')
  })
})
