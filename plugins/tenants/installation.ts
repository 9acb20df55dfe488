// Which control plane owns a container. Several control planes may share one Docker host (two
// deployments, or test apps side by side); each removes only its own orphans. The id follows the
// database, the one thing every node of a deployment shares and keeps across restarts: a SQLite file
// path, or PostgreSQL's host, port and database (never the password). An in-memory database lives
// as long as the app, so its id is random.
import { createHash, randomBytes } from 'node:crypto'
import type { Config } from '../../server/config.js'
import { databaseTarget } from '../../server/db.js'

export const LABEL_INSTALLATION = 'openclaw.cloud/installation'

export function installationId (config: Pick<Config, 'databaseUrl' | 'dataDir'>): string {
  const target = databaseTarget(config.databaseUrl, config.dataDir)
  let identity: string
  if (target.dialect === 'sqlite') {
    if (target.location === ':memory:') return randomBytes(8).toString('hex')
    identity = `sqlite:${target.location}`
  } else {
    const url = new URL(target.location)
    identity = `postgresql://${url.hostname}:${url.port || '5432'}${url.pathname}`
  }
  return createHash('sha256').update(identity).digest('hex').slice(0, 16)
}
