// Generates a migration for both dialects from the difference between the entities and the schema
// the existing migrations build: `npm run db:migration -- <name>`. Needs the local PostgreSQL.
import pino from 'pino'
import { databaseTarget, entitiesOf, migrate, migrationsDir, openDatabase, type DatabaseTarget } from '../server/db.js'
import { installedPlugins } from '../server/installed-plugins.js'
import { createScratchDatabase } from '../test/helpers/postgres.js'

const name = process.argv[2]
// The name becomes part of the migration's class name, so it must be a valid identifier.
if (name === undefined || !/^[a-z][a-zA-Z0-9]*$/.test(name)) {
  console.error('usage: npm run db:migration -- <nameInCamelCase>  (letters and digits only: it becomes part of a class name)')
  process.exit(64)
}

async function generate (target: DatabaseTarget): Promise<void> {
  const orm = await openDatabase({ target, entities: entitiesOf(installedPlugins), logger: pino({ level: 'warn' }) })
  try {
    await migrate(orm)
    const result = await orm.getMigrator().createMigration(migrationsDir(target.dialect), false, false, name)
    console.log(result.diff.up.length === 0 ? `${target.dialect}: schema already matches the entities` : `${target.dialect}: wrote ${result.fileName}`)
  } finally {
    await orm.close()
  }
}

await generate(databaseTarget('sqlite::memory:', '.'))
const scratch = await createScratchDatabase('openclaw_migration')
try {
  await generate({ dialect: 'postgresql', location: scratch.url })
} finally {
  await scratch.drop()
}
