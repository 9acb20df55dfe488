import t from 'tap'
import { buildTestApp, tempDir } from '../helpers/app.js'
import { echo } from '../helpers/fixture-plugins.js'
import { freePort, runCli, startCli, waitForHttp } from '../helpers/process.js'

t.test('config check validates without starting and masks secrets', async (t) => {
  const dataDir = await tempDir(t)
  const valid = await runCli(['config', 'check'], { OPENCLAW_CLOUD_DATA_DIR: dataDir, PORT: '4321', DATABASE_URL: 'postgres://cloud:pw-secret-1@db/cloud' }, dataDir)
  t.equal(valid.code, 0)
  t.match(valid.stdout, 'Configuration is valid.')
  t.match(valid.stdout, 'port: 4321')
  t.notMatch(valid.stdout, 'pw-secret-1')

  const invalid = await runCli(['config', 'check'], { OPENCLAW_CLOUD_DATA_DIR: dataDir, PORT: 'abc' }, dataDir)
  t.not(invalid.code, 0)
  t.match(invalid.stderr, 'PORT="abc" (from environment) is invalid: must be an integer from 0 to 65535')
  t.notMatch(invalid.stderr, /\n\s+at /, 'no stack trace')

  const keys = await runCli(['config', 'keys'], {}, dataDir)
  t.match(keys.stdout, '| `DATABASE_URL` | `databaseUrl` |')
})

t.test('serve refuses an unknown plugin, naming it', async (t) => {
  const dataDir = await tempDir(t)
  const result = await runCli(['serve'], { OPENCLAW_CLOUD_DATA_DIR: dataDir, PORT: String(await freePort()), OPENCLAW_CLOUD_PLUGINS: 'tenants-typo' }, dataDir)
  t.not(result.code, 0)
  t.match(result.stderr, 'Unknown plugin "tenants-typo"')
})

t.test('migrate applies migrations once', async (t) => {
  const dataDir = await tempDir(t)
  const env = { OPENCLAW_CLOUD_DATA_DIR: dataDir }
  const first = await runCli(['migrate'], env, dataDir)
  t.equal(first.code, 0, first.stderr)
  t.match(first.stdout, /Applied \d+ migration\(s\) to SQLite/)
  const second = await runCli(['migrate'], env, dataDir)
  t.match(second.stdout, 'is up to date')
})

t.test('serve: answers, shuts down cleanly on SIGTERM, keeps its data across restarts', async (t) => {
  const dataDir = await tempDir(t)
  const port = await freePort()
  const env = { OPENCLAW_CLOUD_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' }
  const base = `http://127.0.0.1:${port}`

  const first = startCli(['serve'], env, dataDir)
  t.teardown(() => { first.child.kill('SIGKILL') })
  await waitForHttp(`${base}/health`)
  t.equal((await fetch(`${base}/ready`)).status, 200)
  t.equal((await fetch(`${base}/docs/`)).status, 200)
  const installation = ((await (await fetch(`${base}/api/info`)).json()) as { installation: { id: string } }).installation
  first.child.kill('SIGTERM')
  const stopped = await first.finished
  t.equal(stopped.code, 0, 'exits 0 on SIGTERM')
  t.match(stopped.stdout, '"msg":"closed"')

  const second = startCli(['serve'], env, dataDir)
  t.teardown(() => { second.child.kill('SIGKILL') })
  await waitForHttp(`${base}/health`)
  t.same(((await (await fetch(`${base}/api/info`)).json()) as { installation: unknown }).installation, installation, 'same installation, same database')
  second.child.kill('SIGINT')
  t.equal((await second.finished).code, 0, 'exits 0 on SIGINT')
})

t.test('closing lets in-flight requests finish and refuses new ones', async (t) => {
  const app = await buildTestApp(t, { installed: [echo] })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const inFlight = fetch(`http://127.0.0.1:${port}/api/slow`)
  await new Promise((resolve) => setTimeout(resolve, 200))
  const closing = app.close()
  const response = await inFlight
  t.equal(response.status, 200)
  t.same(await response.json(), { finished: true }, 'the slow request completed')
  await closing
  await t.rejects(fetch(`http://127.0.0.1:${port}/health`), 'no new connections after close')
})
