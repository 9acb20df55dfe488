// `openclaw-cloud user create`: the plugin's side of the command, so the CLI itself stays thin.
import { UniqueConstraintViolationException, type MikroORM } from '@mikro-orm/core'
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../../server/config.js'
import { StartupError } from '../../server/startup-error.js'
import { WeakPassword } from './errors.js'
import { createServices } from './services.js'
import { toAuthUser } from './users.js'

export interface CreateUserInput { email: string, password: string, admin: boolean }

/** Creates a verified user; mistakes the operator can fix come back as a StartupError with the reason. */
export async function createUserCommand (orm: MikroORM, config: Config, log: FastifyBaseLogger, input: CreateUserInput): Promise<string> {
  const { accounts, audit } = await createServices({ orm, config, log })
  try {
    const user = await accounts.createUser({ email: input.email, password: input.password, roles: input.admin ? ['user', 'admin'] : ['user'], verified: true })
    await audit.record({ type: 'user.create', userId: user.id, details: { via: 'cli' } })
    const { email, roles } = toAuthUser(user)
    return `Created ${email} (roles: ${roles.join(', ')})`
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) throw new StartupError(`A user with the email ${input.email} exists already`)
    if (err instanceof WeakPassword) throw new StartupError(err.message)
    throw err
  }
}
