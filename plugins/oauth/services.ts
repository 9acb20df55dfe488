// Builds the plugin's services from the app's database, config and log: no module-level state, so
// every app (and every test) has its own.
import type { MikroORM } from '@mikro-orm/core'
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../../server/config.js'
import { createAccounts, type Accounts } from './accounts.js'
import { createAdminUsers, type AdminUsers } from './admin-users.js'
import { createApiTokens, type ApiTokens } from './api-tokens.js'
import { createAudit, type Audit } from './audit.js'
import { externalProviders } from './external/registry.js'
import type { ExternalProvider } from './external/provider.js'
import { createIdentities, type Identities } from './identities.js'
import { createMailer, type Mailer } from './mailer.js'
import { loadServerKeys, type ServerKeys } from './secrets.js'
import { createSessions, type Sessions } from './sessions.js'
import { createSetup, type Setup } from './setup.js'
import { createSweeper, type Sweeper } from './sweeper.js'
import { createLoginThrottle } from './throttle.js'
import { createTokens, type Tokens } from './tokens.js'

export interface OAuthServices {
  orm: MikroORM
  keys: ServerKeys
  mailer: Mailer
  audit: Audit
  accounts: Accounts
  sessions: Sessions
  tokens: Tokens
  apiTokens: ApiTokens
  adminUsers: AdminUsers
  setup: Setup
  /** Enabled external sign-in providers by id (GitHub, Google, WeChat, OIDC). */
  providers: Map<string, ExternalProvider>
  identities: Identities
  sweeper: Sweeper
  /** `requireEmailVerification`, defaulting to on exactly when mail can be sent. */
  requireEmailVerification: boolean
}

export async function createServices ({ orm, config, log }: { orm: MikroORM, config: Config, log: FastifyBaseLogger }): Promise<OAuthServices> {
  const keys = await loadServerKeys(config.dataDir)
  const mailer = createMailer(config, log)
  const audit = createAudit(orm, log)
  const requireEmailVerification = config.requireEmailVerification ?? mailer.configured
  const accounts = createAccounts({ orm, config, mailer, audit, throttle: createLoginThrottle(orm, config), requireEmailVerification })
  return {
    orm,
    keys,
    mailer,
    audit,
    accounts,
    sessions: createSessions(orm),
    tokens: createTokens({ orm, keys, issuer: config.publicUrl, audit }),
    apiTokens: createApiTokens(orm),
    adminUsers: createAdminUsers(orm, audit),
    setup: createSetup({ orm, config, log, accounts, audit }),
    providers: externalProviders(config),
    identities: createIdentities({ orm, audit, accounts }),
    sweeper: createSweeper(orm),
    requireEmailVerification
  }
}
