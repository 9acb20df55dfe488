import { mkdtemp, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { ConfigError, instanceUrl, loadConfig, redactConfig } from '../../server/config.js'

async function dirWithConfigFile (content: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openclaw-config-'))
  await writeFile(path.join(dir, 'openclaw-cloud.json'), content)
  return dir
}

async function problemsOf (promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (err) {
    if (err instanceof ConfigError) return err.message
    throw err
  }
  throw new Error('expected the configuration to be refused')
}

t.test('embedded defaults need no configuration at all', async (t) => {
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'openclaw-config-'))
  const config = await loadConfig({ env: {}, cwd })
  t.equal(config.port, 3000)
  t.equal(config.host, '0.0.0.0')
  t.equal(config.appsDomain, 'localhost')
  t.equal(config.dataDir, path.join(cwd, 'data'))
  t.equal(config.databaseUrl, undefined, 'SQLite in the data dir')
  t.equal(config.plugins, undefined, 'all plugins')
  t.equal(config.publicUrl, 'http://localhost:3000')
  t.equal(instanceUrl(config, 'tenant-7k3m'), 'http://tenant-7k3m.localhost:3000')
})

t.test('environment variables use their conventional names and types', async (t) => {
  const config = await loadConfig({
    env: { PORT: '8080', HOST: '127.0.0.1', OPENCLAW_CLOUD_PLUGINS: 'oauth, tenants,scheduler', PUBLIC_URL: 'https://cloud.example.com', APPS_DOMAIN: 'apps.example.com', LOG_LEVEL: 'debug' },
    cwd: os.tmpdir()
  })
  t.equal(config.port, 8080)
  t.equal(config.host, '127.0.0.1')
  t.same(config.plugins, ['oauth', 'tenants', 'scheduler'])
  t.equal(config.logLevel, 'debug')
  t.equal(instanceUrl(config, 'abc'), 'https://abc.apps.example.com')
})

t.test('the config file is read, and the environment wins over it', async (t) => {
  const cwd = await dirWithConfigFile(JSON.stringify({ port: 4000, plugins: ['oauth'], appsDomain: 'apps.test' }))
  const config = await loadConfig({ env: { PORT: '5000' }, cwd })
  t.equal(config.port, 5000)
  t.same(config.plugins, ['oauth'])
  t.equal(config.appsDomain, 'apps.test')

  const other = await dirWithConfigFile(JSON.stringify({ port: 4100 }))
  const explicit = await loadConfig({ env: { OPENCLAW_CLOUD_CONFIG: path.join(other, 'openclaw-cloud.json') }, cwd })
  t.equal(explicit.port, 4100, 'OPENCLAW_CLOUD_CONFIG points at another file')
})

t.test('an invalid value is refused with the key, the value and what is allowed', async (t) => {
  const port = await problemsOf(loadConfig({ env: { PORT: 'eighty' }, cwd: os.tmpdir() }))
  t.match(port, 'PORT="eighty" (from environment) is invalid: must be an integer from 0 to 65535')

  const level = await problemsOf(loadConfig({ env: { LOG_LEVEL: 'loud' }, cwd: os.tmpdir() }))
  t.match(level, 'LOG_LEVEL="loud"')
  t.match(level, 'one of fatal, error, warn, info, debug, trace, silent')

  const url = await problemsOf(loadConfig({ env: { PUBLIC_URL: 'cloud.example.com/path' }, cwd: os.tmpdir() }))
  t.match(url, 'PUBLIC_URL="cloud.example.com/path"')
  t.match(url, 'an http(s) origin without path')

  const db = await problemsOf(loadConfig({ env: { DATABASE_URL: 'mysql://x' }, cwd: os.tmpdir() }))
  t.match(db, 'DATABASE_URL')
  t.match(db, 'a postgres:// URL')

  const both = await problemsOf(loadConfig({ env: { PORT: '70000', APPS_DOMAIN: 'Not A Domain' }, cwd: os.tmpdir() }))
  t.match(both, 'PORT=70000')
  t.match(both, 'APPS_DOMAIN="Not A Domain"', 'every problem is listed at once')
})

t.test('config file mistakes name the file and the key', async (t) => {
  const typo = await dirWithConfigFile(JSON.stringify({ prot: 3000 }))
  const unknown = await problemsOf(loadConfig({ env: {}, cwd: typo }))
  t.match(unknown, 'unknown setting "prot" in config file')
  t.match(unknown, 'openclaw-cloud.json')

  const wrongType = await dirWithConfigFile(JSON.stringify({ port: '3000x' }))
  t.match(await problemsOf(loadConfig({ env: {}, cwd: wrongType })), 'port="3000x" (from config file')

  const broken = await dirWithConfigFile('{ "port": 3000, }')
  t.match(await problemsOf(loadConfig({ env: {}, cwd: broken })), 'is not valid JSON')

  const notObject = await dirWithConfigFile('[1, 2]')
  t.match(await problemsOf(loadConfig({ env: {}, cwd: notObject })), 'must hold a JSON object')

  t.match(await problemsOf(loadConfig({ env: { OPENCLAW_CLOUD_CONFIG: '/nonexistent/openclaw.json' }, cwd: os.tmpdir() })),
    'config file /nonexistent/openclaw.json cannot be read')
})

t.test('secrets are masked when the configuration is shown', async (t) => {
  const config = await loadConfig({ env: { DATABASE_URL: 'postgres://cloud:s3cret-pw@db:5432/cloud' }, cwd: os.tmpdir() })
  const shown = JSON.stringify(redactConfig(config))
  t.notMatch(shown, 's3cret-pw')
  t.match(shown, 'postgres://cloud:***@db:5432/cloud')
})
