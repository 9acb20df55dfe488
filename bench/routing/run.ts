// Proxy throughput and latency, side by side on this machine against one upstream: direct, through
// our router (SSO cookie checked, headers rewritten), through our router and a box tunnel (the
// firmware's tunnel client in this process serving the upstream as the box's gateway), through nginx as a plain reverse proxy (Debian
// `nginx-light`), and through configurable-http-proxy (JupyterHub's proxy, npm). Small and 1 MB
// responses, at moderate and at high concurrency. Prints a table and the command to rerun it.
//
//   npx tsx bench/routing/run.ts            (BENCH_SECONDS=10 for longer runs)
import autocannon from 'autocannon'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import pino from 'pino'
import { createTokenSource } from '../../firmware/cloud/token.js'
import { createTunnelClient } from '../../firmware/tunnel/client.js'
import { devices } from '../../plugins/devices/index.js'
import { routing } from '../../plugins/routing/index.js'
import { oauthPlugin } from '../../plugins/oauth/index.js'
import { scheduler } from '../../plugins/scheduler/index.js'
import { Tenant } from '../../plugins/tenants/entities.js'
import { tenants } from '../../plugins/tenants/index.js'
import { sessionCookie } from '../../plugins/oauth/authenticate.js'
import { buildApp } from '../../server/app.js'
import { generateClaimCode, hashClaimCode } from '../../protocol/claim-code.js'
import { generateDeviceId } from '../../protocol/device-id.js'
import { exportPublicKeyRaw, generateDeviceKeyPair } from '../../protocol/device-keys.js'
import { boxSlug } from '../../protocol/tunnel.js'
import { loadConfig } from '../../server/config.js'
import { cookieHeader, freePort } from '../../test/helpers/local-hosts.js'
import { signInOnInstance } from '../../test/helpers/routing.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const ONE_MB = Buffer.alloc(1024 * 1024, 'x')

async function waitForPort (port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      http.get({ host: '127.0.0.1', port, path: '/small' }, (res) => { res.resume(); resolve(true) }).on('error', () => { resolve(false) })
    })
    if (ok) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`nothing answers on port ${port}`)
}

async function main (): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'routing-bench-'))
  const children: ChildProcess[] = []
  const upstream = http.createServer((req, res) => {
    if (req.url === '/1mb') { res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': ONE_MB.length }); res.end(ONE_MB); return }
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 })
    res.end('ok')
  })
  upstream.keepAliveTimeout = 60_000
  const upstreamPort = await freePort()
  await new Promise<void>((resolve) => upstream.listen(upstreamPort, '127.0.0.1', resolve))

  // Our router: the real plugins, one instance row pointing at the upstream, a signed-in owner.
  const routerPort = await freePort()
  const config = await loadConfig({
    env: {},
    cwd: dir,
    overrides: { dataDir: dir, logLevel: 'silent', databaseUrl: 'sqlite::memory:', host: '127.0.0.1', port: routerPort, publicUrl: `http://localhost:${routerPort}`, appsDomain: 'localhost', dockerSocket: path.join(dir, 'no-docker.sock'), reconcileInterval: 3_600_000, passwordHashCost: 10, mqttHost: '127.0.0.1', mqttPort: 0, tunnelBandwidth: 0 }
  })
  const app = await buildApp({ config, installed: [oauthPlugin, devices, scheduler, tenants, routing], uiDir: path.join(dir, 'no-ui') })
  await app.listen({ host: '127.0.0.1', port: routerPort })
  const owner = await app.oauth.accounts.createUser({ email: 'owner@example.com', password: 'Xq7-router-bench-2026', verified: true })
  const { token } = await app.oauth.sessions.create(owner.id, { ip: '127.0.0.1' })
  const em = app.orm.em.fork()
  const tenant = em.create(Tenant, { id: 'bench', slug: 'bench', ownerId: owner.id, ownerEmail: owner.email, plan: 'free', workerId: 'none', desired: 'running', status: 'running', upstream: `http://127.0.0.1:${upstreamPort}`, createdAt: new Date(), updatedAt: new Date() } as Tenant)
  await em.flush()
  await app.instanceRouter.table.refresh(tenant.id)
  const instance = `http://bench.localhost:${routerPort}`
  const cookie = cookieHeader((await signInOnInstance(instance, `${sessionCookie(config).name}=${token}`)).jar)

  // A claimed box whose tunnel client serves the same upstream as its gateway (no bandwidth limit).
  const boxId = generateDeviceId()
  const boxKeys = generateDeviceKeyPair()
  await app.devices.registerBatch({ batchId: 'bench', model: 'box-1', devices: [{ deviceId: boxId, publicKey: exportPublicKeyRaw(boxKeys.publicKey), claimCodeHash: await hashClaimCode(generateClaimCode()) }] })
  await app.devices.claims.claimApprovedByDeviceFlow(owner.id, boxId)
  const tunnel = createTunnelClient({ serverUrl: config.publicUrl, tokens: createTokenSource({ deviceId: boxId, privateKey: boxKeys.privateKey, audience: config.publicUrl }), gatewayPort: upstreamPort, log: pino({ level: 'silent' }) })
  tunnel.start()
  while (app.instanceRouter.tunnels?.sessions !== 1) await new Promise((resolve) => setTimeout(resolve, 50))
  const boxHost = `${boxSlug(boxId)}.localhost:${routerPort}`
  const boxCookie = cookieHeader((await signInOnInstance(`http://${boxHost}`, `${sessionCookie(config).name}=${token}`)).jar)

  const nginxPort = await freePort()
  await writeFile(path.join(dir, 'nginx.conf'), `daemon off; worker_processes 1; pid ${dir}/nginx.pid; error_log stderr error;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream app { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server { listen 127.0.0.1:${nginxPort}; location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header X-Forwarded-For $remote_addr; } } }
`)
  children.push(spawn('nginx', ['-c', path.join(dir, 'nginx.conf'), '-e', 'stderr'], { stdio: 'inherit' }))
  const chpPort = await freePort()
  children.push(spawn(path.join('node_modules', '.bin', 'configurable-http-proxy'), ['--ip', '127.0.0.1', '--port', String(chpPort), '--api-ip', '127.0.0.1', '--api-port', String(await freePort()), '--default-target', `http://127.0.0.1:${upstreamPort}`, '--log-level', 'error'], { stdio: 'inherit' }))
  await Promise.all([waitForPort(nginxPort), waitForPort(chpPort)])

  const targets = [
    { name: 'direct', port: upstreamPort, headers: {} },
    { name: 'router (openclaw-cloud)', port: routerPort, headers: { host: `bench.localhost:${routerPort}`, cookie } },
    { name: 'router + box tunnel', port: routerPort, headers: { host: boxHost, cookie: boxCookie } },
    { name: 'nginx', port: nginxPort, headers: {} },
    { name: 'configurable-http-proxy', port: chpPort, headers: {} }
  ]
  const rows: string[][] = []
  for (const { path: urlPath, label } of [{ path: '/small', label: '2 B' }, { path: '/1mb', label: '1 MB' }]) {
    for (const connections of [10, 100]) {
      for (const target of targets) {
        const result = await autocannon({ url: `http://127.0.0.1:${target.port}${urlPath}`, connections, duration: SECONDS, headers: target.headers })
        const failed = result.non2xx + result.errors + result.timeouts
        rows.push([label, String(connections), target.name, result.requests.average.toFixed(0), result.latency.p50.toFixed(1), result.latency.p99.toFixed(1), String(failed)])
      }
    }
  }
  const header = ['response', 'conns', 'through', 'req/s', 'p50 ms', 'p99 ms', 'failed']
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)))
  const line = (cells: string[]): string => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`
  console.log([line(header), `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`, ...rows.map(line)].join('\n'))
  console.log(`\n${os.cpus().length} CPUs, load ${os.loadavg().map((load) => load.toFixed(1)).join(' ')}, ${SECONDS} s per cell, Node ${process.version}`)
  console.log('rerun: npx tsx bench/routing/run.ts   (BENCH_SECONDS=10 for longer runs)')

  for (const child of children) child.kill('SIGTERM')
  await tunnel.stop()
  await app.close()
  upstream.close()
  await rm(dir, { recursive: true, force: true })
}

await main()
