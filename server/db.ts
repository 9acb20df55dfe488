// The database: MikroORM on SQLite (embedded default, through libsql) or PostgreSQL (DATABASE_URL).
// Both run the same entities; each dialect has its own generated migrations, applied on start.
import { DefaultLogger, MikroORM, type EntitySchema, type LogContext, type LoggerNamespace, type LoggerOptions, type Options } from '@mikro-orm/core'
import { LibSqlDriver } from '@mikro-orm/libsql'
import { Migrator } from '@mikro-orm/migrations'
import { PostgreSqlDriver } from '@mikro-orm/postgresql'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Logger } from 'pino'
import { coreEntities } from './entities.js'
import type { ServerPlugin } from './plugins.js'
import { StartupError } from './startup-error.js'

export type Dialect = 'sqlite' | 'postgresql'

export interface DatabaseTarget {
  dialect: Dialect
  /** File path or `:memory:` for SQLite, connection URL for PostgreSQL. */
  location: string
}

/** Reads DATABASE_URL (or its absence) into a target; the default is a SQLite file in the data dir. */
export function databaseTarget (databaseUrl: string | undefined, dataDir: string): DatabaseTarget {
  if (databaseUrl === undefined) return { dialect: 'sqlite', location: path.join(dataDir, 'openclaw-cloud.sqlite') }
  if (databaseUrl.startsWith('sqlite:')) {
    const file = databaseUrl.slice('sqlite:'.length)
    return { dialect: 'sqlite', location: file === ':memory:' ? file : path.resolve(file) }
  }
  return { dialect: 'postgresql', location: databaseUrl }
}

export function describeTarget (target: DatabaseTarget): string {
  if (target.dialect === 'sqlite') return `SQLite ${target.location}`
  const url = new URL(target.location)
  return `PostgreSQL ${url.hostname}:${url.port || '5432'}${url.pathname}`
}

// Migrations are compiled next to this module; under tsx the .ts sources are loaded instead.
const here = path.dirname(fileURLToPath(import.meta.url))
const runningTypeScript = import.meta.url.endsWith('.ts')

export function migrationsDir (dialect: Dialect): string {
  return path.join(here, 'migrations', dialect)
}

/** Plain counts of what the database did, read by the metrics plugin when scraped. */
export interface DatabaseStats { queryErrors: number }

export interface OpenDatabaseOptions {
  target: DatabaseTarget
  entities: EntitySchema[]
  logger: Logger
  /** Counted into as queries fail. */
  stats?: DatabaseStats
}

/**
 * MikroORM reports every query it ran, failed ones with level "error", to its logger (which prints
 * only in debug mode): counting there sees every failed query, whichever driver and caller.
 */
class CountingLogger extends DefaultLogger {
  constructor (options: LoggerOptions, private readonly stats: DatabaseStats) { super(options) }

  override logQuery (context: { query: string } & LogContext): void {
    if (context.level === 'error') this.stats.queryErrors++
    super.logQuery(context)
  }
}

/** The core's entities and every installed plugin's, enabled or not: the schema does not depend on the plugin choice. */
export function entitiesOf (installed: ServerPlugin[]): EntitySchema[] {
  return [...coreEntities, ...installed.flatMap((definition) => definition.entities ?? [])]
}

export async function openDatabase (options: OpenDatabaseOptions): Promise<MikroORM> {
  try {
    return await connect(options)
  } catch (err) {
    throw new StartupError(`Cannot open the database (${describeTarget(options.target)}): ${(err as Error).message}`)
  }
}

async function connect ({ target, entities, logger, stats = { queryErrors: 0 } }: OpenDatabaseOptions): Promise<MikroORM> {
  const shared: Options = {
    entities,
    discovery: { warnWhenNoEntities: false },
    extensions: [Migrator],
    preferTs: runningTypeScript,
    migrations: {
      path: migrationsDir(target.dialect),
      pathTs: migrationsDir(target.dialect),
      glob: runningTypeScript ? '!(*.d).ts' : '!(*.d).js',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      emit: 'ts',
      silent: true
    },
    allowGlobalContext: false,
    debug: logger.isLevelEnabled('trace') ? (['query'] satisfies LoggerNamespace[]) : false,
    logger: (message) => logger.trace({ orm: message }, 'database'),
    loggerFactory: (options) => new CountingLogger(options, stats)
  }
  if (target.dialect === 'sqlite') {
    if (target.location !== ':memory:') await mkdir(path.dirname(target.location), { recursive: true })
    const orm = await MikroORM.init({ ...shared, driver: LibSqlDriver, dbName: target.location })
    // libsql is synchronous: each commit's fsyncs block the event loop (~20 ms with the default
    // rollback journal here, under 5 ms with a write-ahead log, still synchronous=FULL so a commit
    // survives power loss). The mode is stored in the file, so every later connection uses it.
    if (target.location !== ':memory:') await orm.em.getConnection().execute('pragma journal_mode = wal')
    return orm
  }
  return await MikroORM.init({ ...shared, driver: PostgreSqlDriver, clientUrl: target.location })
}

/** Applies pending migrations; returns the names applied (none on an up-to-date database). */
export async function migrate (orm: MikroORM): Promise<string[]> {
  const applied = await orm.getMigrator().up()
  return applied.map((migration) => migration.name)
}
