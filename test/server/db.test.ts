import path from 'node:path'
import pino from 'pino'
import t from 'tap'
import { buildApp } from '../../server/app.js'
import { loadConfig } from '../../server/config.js'
import { databaseTarget, entitiesOf, migrate, openDatabase, type Dialect } from '../../server/db.js'
import { Setting } from '../../server/entities.js'
import { installedPlugins } from '../../server/installed-plugins.js'
import { forEachDialect, tempDir, testDatabaseUrl } from '../helpers/app.js'

const quiet = pino({ level: 'silent' })

async function openMigrated (url: string, dataDir: string) {
  const orm = await openDatabase({ target: databaseTarget(url, dataDir), entities: entitiesOf(installedPlugins), logger: quiet })
  return { orm, applied: await migrate(orm) }
}

forEachDialect(t, 'migrations build exactly the schema the entities describe', async (t, dialect: Dialect) => {
  const url = await testDatabaseUrl(t, dialect)
  const { orm, applied } = await openMigrated(url, await tempDir(t))
  t.teardown(() => orm.close())
  t.ok(applied.length > 0, `a fresh database gets every migration (${applied.join(', ')})`)
  t.same(await migrate(orm), [], 'migrating again is a no-op')
  const drift = await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false })
  t.equal(drift.trim(), '', 'no difference between the migrated schema and the entities')

  const em = orm.em.fork()
  em.create(Setting, { key: 'greeting', value: 'hello', updatedAt: new Date() })
  await em.flush()
  const stored = await orm.em.fork().findOneOrFail(Setting, { key: 'greeting' })
  t.equal(stored.value, 'hello', 'an entity round-trips')
})

forEachDialect(t, 'starting twice on the same database keeps its data and migrates nothing', async (t, dialect: Dialect) => {
  const dataDir = await tempDir(t)
  const databaseUrl = dialect === 'sqlite' ? `sqlite:${path.join(dataDir, 'cloud.sqlite')}` : await testDatabaseUrl(t, dialect)
  const config = await loadConfig({ env: {}, cwd: dataDir, overrides: { dataDir, databaseUrl, logLevel: 'silent' } })

  const first = await buildApp({ config, installed: [] })
  const installation = (await first.inject('/api/info')).json().installation
  await first.close()

  const second = await buildApp({ config, installed: [] })
  t.teardown(() => second.close())
  t.same((await second.inject('/api/info')).json().installation, installation, 'same installation after a restart')
  t.equal((await second.inject('/api/info')).json().database, dialect)
})

t.test('an unreachable PostgreSQL stops start-up with a message naming it', async (t) => {
  const dataDir = await tempDir(t)
  const config = await loadConfig({ env: {}, cwd: dataDir, overrides: { dataDir, databaseUrl: 'postgres://nobody@127.0.0.1:1/nowhere', logLevel: 'silent' } })
  await t.rejects(buildApp({ config, installed: [] }), { message: /ECONNREFUSED|connect/ })
})
