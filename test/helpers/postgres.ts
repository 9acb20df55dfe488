// Scratch PostgreSQL databases: one per test file (or per migration generation), dropped afterwards.
import { randomBytes } from 'node:crypto'
import pg from 'pg'

/** The running PostgreSQL of the development/CI machine (trust auth); override with TEST_POSTGRES_URL. */
export const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export interface ScratchDatabase {
  url: string
  drop: () => Promise<void>
}

export async function createScratchDatabase (prefix = 'openclaw_test'): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`
  await withAdmin(async (client) => { await client.query(`CREATE DATABASE "${name}"`) })
  const url = new URL(ADMIN_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: () => withAdmin(async (client) => { await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) })
  }
}

async function withAdmin (work: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL })
  await client.connect()
  try {
    await work(client)
  } finally {
    await client.end()
  }
}
