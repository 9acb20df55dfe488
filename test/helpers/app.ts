// Builds an isolated app per test: its own in-memory SQLite, or its own scratch PostgreSQL database,
// torn down when the test ends.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { buildApp, type AppOptions } from '../../server/app.js'
import { loadConfig, type ConfigInput } from '../../server/config.js'
import type { Dialect } from '../../server/db.js'
import { postgresql, requireComponents } from './components.js'
import { createScratchDatabase } from './postgres.js'

export interface TestContext {
  teardown: (fn: () => unknown) => void
}

export interface TestAppOptions {
  dialect?: Dialect
  config?: Partial<ConfigInput>
  installed?: AppOptions['installed']
  uiDir?: string
  logger?: FastifyBaseLogger
}

/** A temporary directory removed after the test. */
export async function tempDir (t: TestContext, prefix = 'openclaw-cloud-test-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** A database URL for one test: in-memory SQLite, or a scratch PostgreSQL database dropped afterwards. */
export async function testDatabaseUrl (t: TestContext, dialect: Dialect): Promise<string> {
  if (dialect === 'sqlite') return 'sqlite::memory:'
  const scratch = await createScratchDatabase()
  t.teardown(() => scratch.drop())
  return scratch.url
}

export async function buildTestApp (t: TestContext, options: TestAppOptions = {}): Promise<FastifyInstance> {
  const dataDir = await tempDir(t)
  const config = await loadConfig({
    env: {},
    cwd: dataDir,
    overrides: {
      dataDir,
      logLevel: 'silent',
      databaseUrl: await testDatabaseUrl(t, options.dialect ?? 'sqlite'),
      ...options.config
    }
  })
  const app = await buildApp({ config, installed: options.installed ?? [], uiDir: options.uiDir ?? path.join(dataDir, 'no-ui'), logger: options.logger })
  // Registered after the database teardown, so it runs first: the app closes before its database is dropped.
  t.teardown(() => app.close())
  return app
}


/**
 * Runs the same test body against SQLite and the running PostgreSQL. PostgreSQL is a required
 * component: missing, it fails the test under CI=true and skips it elsewhere.
 */
export function forEachDialect (t: Test, name: string, body: (t: Test, dialect: Dialect) => Promise<void>): void {
  t.test(`${name} (sqlite)`, async (st) => { await body(st, 'sqlite') })
  t.test(`${name} (postgresql)`, async (st) => {
    if (!(await requireComponents(st, postgresql))) return
    await body(st, 'postgresql')
  })
}
