// `openclaw-factory batch register` against a real running server (issue 7 "Done when"): a batch of
// 200 is created, verified, registered, registered again (all unchanged), survives a flaky network,
// reports conflicts with a non-zero exit, and one of its boxes authenticates to MQTT with its
// credential file.
import { createServer } from 'node:http'
import { readFile, writeFile, cp } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import mqtt from 'mqtt'
import t from 'tap'
import { parseDeviceCredentials } from '../../protocol/credentials.js'
import { signDeviceJwt } from '../../protocol/device-jwt.js'
import { importPrivateKeyPem } from '../../protocol/device-keys.js'
import { freePort } from '../helpers/process.js'
import { factoryApiToken, startServer } from '../helpers/factory-station.js'
import { runCli, runInProcess } from './helpers.js'

// Label rendering for 200 boxes takes minutes on a loaded 2-core machine; the file default (180 s) is too tight.
t.setTimeout(900_000)

t.test('a batch of 200: created, verified, registered twice, and a box connects with its credentials', async (t) => {
  const server = await startServer(t)
  const token = await factoryApiToken(server)
  const dir = join(t.testdir(), 'batch')

  const created = await runInProcess(['batch', 'create', '--count', '200', '--model', 'OpenClaw Box v1', '--out', dir, '--server', server.url, '--sheet', 'none', '--json'])
  t.equal(created.code, 0, created.stderr)
  const verified = await runInProcess(['verify', dir, '--json'])
  t.equal(verified.code, 0, verified.stdout)

  // The real CLI process; the server URL comes from the batch.
  const first = await runCli(['batch', 'register', dir, '--token', token, '--chunk-size', '64'])
  t.equal(first.code, 0, first.stderr)
  t.match(first.stdout, /200 devices — created 200, unchanged 0, conflicting 0\nOK: every device is registered/)
  t.match(first.stderr, /register: 200\/200/, 'progress while sending')

  const again = await runInProcess(['batch', 'register', dir, '--server', server.url, '--token', token, '--json'])
  t.equal(again.code, 0, again.stderr)
  const result = JSON.parse(again.stdout) as { created: string[], unchanged: string[], conflicting: unknown[] }
  t.same([result.created.length, result.unchanged.length, result.conflicting.length], [0, 200, 0], 'registered again: all unchanged')
  t.equal(again.stderr, '', 'no progress noise with --json')

  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { batchId: string, devices: Array<{ deviceId: string }> }
  const summary = await (await fetch(`${server.url}/api/factory/batches/${manifest.batchId}`, { headers: { authorization: `Bearer ${token}` } })).json()
  t.match(summary, { batchId: manifest.batchId, devices: 200, states: { registered: 200 } })

  const credentials = parseDeviceCredentials(await readFile(join(dir, 'credentials', `${manifest.devices[7]!.deviceId}.json`), 'utf8'))
  const password = await signDeviceJwt({ deviceId: credentials.deviceId, privateKey: importPrivateKeyPem(credentials.privateKey), audience: credentials.serverUrl })
  const box = await mqtt.connectAsync(`${server.url.replace('http', 'ws')}/mqtt`, { clientId: credentials.deviceId, username: credentials.deviceId, password, reconnectPeriod: 0 })
  t.ok(box.connected, 'a box of the batch authenticates to MQTT with its credential file')
  await box.endAsync()
})

t.test('conflicts exit non-zero; retries ride out a flaky network; clear errors', async (t) => {
  const server = await startServer(t)
  const token = await factoryApiToken(server)
  const root = t.testdir()
  const dir = join(root, 'batch')
  const created = await runInProcess(['batch', 'create', '--count', '6', '--model', 'OpenClaw Box v1', '--out', dir, '--server', server.url, '--sheet', 'none', '--json'])
  t.equal(created.code, 0, created.stderr)

  // A stand-in for a flaky link: the first two requests get 503, then it forwards to the server.
  let requests = 0
  const flaky = createServer((request, response) => {
    requests++
    if (requests <= 2) {
      response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' }).end(JSON.stringify({ statusCode: 503, code: 'UNAVAILABLE', error: 'Service Unavailable', message: 'try later' }))
      return
    }
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      void fetch(`${server.url}${request.url}`, { method: request.method, headers: { authorization: request.headers.authorization ?? '', 'content-type': 'application/json' }, body: Buffer.concat(chunks) })
        .then(async (upstream) => { response.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text()) })
    })
  })
  await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { flaky.close() })
  const viaFlaky = await runInProcess(['batch', 'register', dir, '--server', `http://127.0.0.1:${(flaky.address() as AddressInfo).port}`, '--token', token, '--chunk-size', '3'])
  t.equal(viaFlaky.code, 0, viaFlaky.stderr)
  t.match(viaFlaky.stderr, /retrying: chunk 1\/2: server answered 503 UNAVAILABLE: try later; attempt 2 of 6/)
  t.match(viaFlaky.stdout, /created 6, unchanged 0, conflicting 0/, 'every device registered once despite the failures')

  // The same ids with other claim-code hashes: the server keeps what it has and says so.
  const tampered = join(root, 'tampered')
  await cp(dir, tampered, { recursive: true })
  const manifest = JSON.parse(await readFile(join(tampered, 'manifest.json'), 'utf8')) as { devices: Array<{ deviceId: string, claimCodeHash: string }> }
  manifest.devices[1]!.claimCodeHash = manifest.devices[0]!.claimCodeHash
  await writeFile(join(tampered, 'manifest.json'), JSON.stringify(manifest))
  const conflict = await runInProcess(['batch', 'register', tampered, '--server', server.url, '--token', token])
  t.equal(conflict.code, 3, 'non-zero exit on a conflict')
  t.match(conflict.stdout, new RegExp(`unchanged 5, conflicting 1\\n  CONFLICT ${manifest.devices[1]!.deviceId}: already registered with another claim code\\nNOT OK`))
  const conflictJson = await runInProcess(['batch', 'register', tampered, '--server', server.url, '--token', token, '--json'])
  t.equal(conflictJson.code, 3)
  t.match(JSON.parse(conflictJson.stdout), { conflicting: [{ deviceId: manifest.devices[1]!.deviceId }] })

  const badToken = await runInProcess(['batch', 'register', dir, '--server', server.url, '--token', 'ocp_nope'])
  t.equal(badToken.code, 1)
  t.match(badToken.stderr, /the server refused the token \(401 UNAUTHENTICATED/)
  const noServer = await runInProcess(['batch', 'register', dir, '--server', `http://127.0.0.1:${await freePort()}`, '--token', token, '--attempts', '2'])
  t.equal(noServer.code, 1)
  t.match(noServer.stderr, /cannot reach http:\/\/127\.0\.0\.1:\d+\/api\/factory\/batches: ECONNREFUSED \(gave up after 2 attempts; run the same command again/)
  const noToken = await runInProcess(['batch', 'register', dir])
  t.equal(noToken.code, 2)
  t.match(noToken.stderr, /--token \(or OPENCLAW_FACTORY_TOKEN\) is required/)
  const help = await runInProcess(['batch', 'register', '--help'])
  t.match(help.stdout, /Usage: openclaw-factory batch register \[options\] <dir>[\s\S]*--server[\s\S]*--token[\s\S]*--json[\s\S]*Exit codes/)
})
