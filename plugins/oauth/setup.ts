// The first admin of a fresh install: while no admin exists, each start logs a one-time setup link
// (`<PUBLIC_URL>/setup?token=…`, stored hashed); the console's onboarding page posts it back.
import type { MikroORM } from '@mikro-orm/core'
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../../server/config.js'
import type { Accounts } from './accounts.js'
import type { Audit } from './audit.js'
import { OneTimeToken, User } from './entities.js'
import { InvalidToken, SetupDone } from './errors.js'
import { LIFETIME } from './lifetimes.js'
import { consumeOneTimeToken, issueOneTimeToken } from './one-time-tokens.js'
import { roleFilter } from './users.js'

export interface SetupDeps { orm: MikroORM, config: Config, log: FastifyBaseLogger, accounts: Accounts, audit: Audit }

export type Setup = ReturnType<typeof createSetup>

export function createSetup ({ orm, config, log, accounts, audit }: SetupDeps) {
  const adminExists = async (): Promise<boolean> => (await orm.em.fork().count(User, { roles: { $like: roleFilter('admin') } })) > 0

  return {
    adminExists,

    /** Logs a fresh setup link when there is no admin; earlier links stop working. */
    async announce (): Promise<void> {
      if (await adminExists()) return
      const em = orm.em.fork()
      await em.nativeDelete(OneTimeToken, { purpose: 'setup-admin' })
      const token = await issueOneTimeToken(em, 'setup-admin', null, LIFETIME.setupAdmin)
      // The operator needs this link to create the first admin: the one place a token is logged on purpose.
      log.info({ setupUrl: `${config.publicUrl}/setup?token=${token}` }, 'no admin yet: open the setup link to create the first admin (or run `openclaw-cloud user create --admin`)')
    },

    async createAdmin (input: { token: string, email: string, password: string }, ip: string): Promise<User> {
      if (await adminExists()) throw new SetupDone()
      const em = orm.em.fork()
      if ((await consumeOneTimeToken(em, 'setup-admin', input.token)) === null) throw new InvalidToken()
      const user = await accounts.createUser({ email: input.email, password: input.password, roles: ['user', 'admin'], verified: true }, em)
      await audit.record({ type: 'setup.admin', userId: user.id, ip })
      return user
    }
  }
}
