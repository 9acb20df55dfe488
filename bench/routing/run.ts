// Proxy throughput and latency, side by side on this machine against one upstream: direct, through
// our router (SSO cookie checked, headers rewritten), through our router and a box tunnel (the
// firmware's tunnel client serving the upstream as the box's gateway), through nginx as a plain
// reverse proxy (Debian `nginx-light`), and through configurable-http-proxy (JupyterHub's proxy,
// npm). Every one of them, the upstream and the box run in processes of their own; this process
// only generates load. Small and 1 MB responses and WebSocket echo round trips, at moderate and at
// high concurrency. Prints a table and the command to rerun it.
//
//   npx tsx bench/routing/run.ts            (BENCH_SECONDS=10 for longer runs)
import autocannon from 'autocannon'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import WebSocket from 'ws'
import { freePort } from '../../test/helpers/local-hosts.js'
import type { RouterReady } from './router.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const MODERATE_RATE = 1000
const TSX = import.meta.resolve('tsx')
const children: ChildProcess[] = []

/** Starts a process and resolves with its first line on stdout (its "ready"). */
async function startChild (command: string, args: string[], stdin?: string): Promise<string> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] })
  children.push(child)
  child.stdin!.end(stdin ?? '')
  const lines = createInterface({ input: child.stdout! })
  const exited = once(child, 'exit').then(([code]) => { throw new Error(`${path.basename(args[2] ?? command)} exited (${String(code)}) before it was ready`) })
  return await Promise.race([once(lines, 'line').then(([line]) => line as string), exited])
}
const startScript = async (file: string, args: string[] = [], stdin?: string): Promise<string> =>
  await startChild(process.execPath, ['--import', TSX, path.join(import.meta.dirname, file), ...args], stdin)

async function answers (port: number, headers: Record<string, string>): Promise<boolean> {
  return await new Promise<boolean>((resolve) => {
    http.get({ host: '127.0.0.1', port, path: '/small', headers }, (res) => { res.resume(); resolve(res.statusCode === 200) }).on('error', () => { resolve(false) })
  })
}
async function waitUntilAnswering (name: string, port: number, headers: Record<string, string> = {}): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await answers(port, headers)) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${name} does not answer on port ${port}`)
}

const percentile = (sorted: number[], p: number): number => sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!

/** `connections` WebSockets each sending 32 bytes and waiting for the echo, for SECONDS. */
async function echoRoundTrips (port: number, headers: Record<string, string>, connections: number): Promise<{ perSecond: number, p50: number, p99: number, failed: number }> {
  const latencies: number[] = []
  let failed = 0
  const payload = Buffer.alloc(32, 'p')
  const deadline = Date.now() + SECONDS * 1000
  await Promise.all(Array.from({ length: connections }, async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/echo`, { headers })
    try {
      await once(socket, 'open')
      while (Date.now() < deadline) {
        const sent = performance.now()
        socket.send(payload)
        await once(socket, 'message')
        latencies.push(performance.now() - sent)
      }
      socket.close()
    } catch {
      failed++
      socket.terminate()
    }
  }))
  latencies.sort((a, b) => a - b)
  return { perSecond: latencies.length / SECONDS, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), failed }
}

/**
 * `/small` at a fixed `rate` per second in all over `connections` keep-alive connections, for
 * SECONDS, timed to a microsecond (autocannon reports HTTP latency in whole milliseconds, too coarse
 * for "under 2 ms added").
 */
async function fixedRate (port: number, headers: Record<string, string>, connections: number, rate: number): Promise<{ perSecond: number, p50: number, p99: number, failed: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections })
  const latencies: number[] = []
  let failed = 0
  const pending: Array<Promise<void>> = []
  const started = performance.now()
  for (let sent = 0; sent < rate * SECONDS; sent++) {
    // On schedule even when answers are slow: a late request is sent at once, not skipped.
    const due = started + (sent * 1000) / rate
    const wait = due - performance.now()
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait))
    pending.push(new Promise<void>((resolve) => {
      const at = performance.now()
      http.get({ host: '127.0.0.1', port, path: '/small', headers, agent }, (res) => {
        res.resume()
        res.once('end', () => { if (res.statusCode === 200) latencies.push(performance.now() - at); else failed++; resolve() })
      }).once('error', () => { failed++; resolve() })
    }))
  }
  await Promise.all(pending)
  agent.destroy()
  latencies.sort((a, b) => a - b)
  return { perSecond: latencies.length / ((performance.now() - started) / 1000), p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), failed }
}

async function main (dir: string): Promise<void> {
  const upstreamPort = await freePort()
  await startScript('upstream.ts', [String(upstreamPort)])

  const router = JSON.parse(await startScript('router.ts', [String(upstreamPort), String(await freePort()), dir])) as RouterReady
  await startScript('box.ts', [], JSON.stringify({ serverUrl: router.serverUrl, deviceId: router.box.deviceId, privateKeyPem: router.box.privateKeyPem, gatewayPort: upstreamPort }))
  const instanceHeaders = { host: router.instanceHost, cookie: router.instanceCookie }
  const boxHeaders = { host: router.box.host, cookie: router.box.cookie }
  await waitUntilAnswering('the box, through its tunnel', router.routerPort, boxHeaders)

  const nginxPort = await freePort()
  await writeFile(path.join(dir, 'nginx.conf'), `daemon off; worker_processes 1; pid ${dir}/nginx.pid; error_log stderr error;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
  upstream app { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server { listen 127.0.0.1:${nginxPort}; location / { proxy_pass http://app; proxy_http_version 1.1;
    proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade; proxy_set_header X-Forwarded-For $remote_addr; } } }
`)
  children.push(spawn('nginx', ['-c', path.join(dir, 'nginx.conf'), '-e', 'stderr'], { stdio: 'inherit' }))
  const chpPort = await freePort()
  children.push(spawn(path.join('node_modules', '.bin', 'configurable-http-proxy'), ['--ip', '127.0.0.1', '--port', String(chpPort), '--api-ip', '127.0.0.1', '--api-port', String(await freePort()), '--default-target', `http://127.0.0.1:${upstreamPort}`, '--log-level', 'error'], { stdio: 'inherit' }))
  await Promise.all([waitUntilAnswering('nginx', nginxPort), waitUntilAnswering('configurable-http-proxy', chpPort)])

  const targets = [
    { name: 'direct', port: upstreamPort, headers: {} },
    { name: 'router (openclaw-cloud)', port: router.routerPort, headers: instanceHeaders },
    { name: 'router + box tunnel', port: router.routerPort, headers: boxHeaders },
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
  // Moderate load: a fixed rate well below every proxy's ceiling, so latency is each one's own work
  // rather than queueing (the goal's "added p99 at moderate load").
  for (const target of targets) {
    const result = await fixedRate(target.port, target.headers, 10, MODERATE_RATE)
    rows.push([`2 B at ${MODERATE_RATE}/s`, '10', target.name, result.perSecond.toFixed(0), result.p50.toFixed(2), result.p99.toFixed(2), String(result.failed)])
  }
  for (const connections of [10, 100]) {
    for (const target of targets) {
      const echo = await echoRoundTrips(target.port, target.headers, connections)
      rows.push(['WS echo', String(connections), target.name, echo.perSecond.toFixed(0), echo.p50.toFixed(1), echo.p99.toFixed(1), String(echo.failed)])
    }
  }
  const header = ['response', 'conns', 'through', 'req/s', 'p50 ms', 'p99 ms', 'failed']
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)))
  const line = (cells: string[]): string => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`
  console.log([line(header), `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`, ...rows.map(line)].join('\n'))
  console.log('(WS echo: req/s = round trips per second over all connections, each sending 32 bytes and waiting for the echo)')
  console.log(`\n${os.cpus().length} CPUs, load ${os.loadavg().map((load) => load.toFixed(1)).join(' ')}, ${SECONDS} s per cell, Node ${process.version}`)
  console.log('rerun: npx tsx bench/routing/run.ts   (BENCH_SECONDS=10 for longer runs)')
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'routing-bench-'))
try {
  await main(dir)
} finally {
  await Promise.all(children.map(async (child) => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    await once(child, 'exit')
  }))
  await rm(dir, { recursive: true, force: true })
}
