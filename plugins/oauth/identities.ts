// External identities: signing in with one (creating the account the first time), linking one to the
// signed-in user, listing and unlinking. An identity joins an existing account by email only when the
// provider asserts the address is verified AND the account verified it too (see EmailTaken); an
// address the provider does not vouch for is never looked up nor given to a new account.
import { UniqueConstraintViolationException, type MikroORM } from '@mikro-orm/core'
import { createHash, randomUUID } from 'node:crypto'
import type { Accounts } from './accounts.js'
import type { Audit } from './audit.js'
import { Identity, User } from './entities.js'
import { EmailTaken, IdentityLinkedElsewhere, LastSignInMethod, NotFound } from './errors.js'
import type { ExternalProfile } from './external/provider.js'
import { normalizeEmail } from './users.js'

export interface ProviderRef { id: string, name: string }

export type Identities = ReturnType<typeof createIdentities>

/**
 * Accounts need an email; when the provider gives none (WeChat) or none it vouches for, a stable
 * address in the reserved `.invalid` domain (RFC 2606) stands in: it can receive no mail and
 * collides with no real one.
 */
function placeholderEmail (provider: string, subject: string): string {
  return `${provider}-${createHash('sha256').update(subject).digest('hex').slice(0, 20)}@users.invalid`
}

export function createIdentities ({ orm, audit, accounts }: { orm: MikroORM, audit: Audit, accounts: Accounts }) {
  async function signInOnce (provider: ProviderRef, profile: ExternalProfile, ip: string): Promise<User> {
    const em = orm.em.fork()
    const known = await em.findOne(Identity, { provider: provider.id, subject: profile.subject }, { populate: ['user'] })
    if (known !== null) {
      await audit.record({ type: 'external.login', userId: known.user.id, ip, details: { provider: provider.id } })
      return known.user
    }
    // Only an address the provider vouches for is looked up or given to an account: an unverified one
    // could be anyone's, and an answer about it would tell whether it has an account here.
    const email = profile.email !== undefined && profile.emailVerified ? normalizeEmail(profile.email) : undefined
    let user = email === undefined ? null : await em.findOne(User, { email })
    if (user !== null) {
      if (user.emailVerifiedAt == null) throw new EmailTaken(email, provider.name)
      em.create(Identity, { id: randomUUID(), provider: provider.id, subject: profile.subject, user, email, linkedAt: new Date() })
      await em.flush()
      await audit.record({ type: 'external.link', userId: user.id, ip, details: { provider: provider.id, automatic: true } })
    } else {
      // Account and identity together or neither: no account is left behind that nothing signs in to.
      user = await em.transactional(async (tx) => {
        const created = await accounts.createExternalUser({ email: email ?? placeholderEmail(provider.id, profile.subject), verified: email !== undefined }, tx)
        tx.create(Identity, { id: randomUUID(), provider: provider.id, subject: profile.subject, user: created, email: profile.email ?? null, linkedAt: new Date() })
        return created
      })
      await audit.record({ type: 'external.register', userId: user.id, ip, details: { provider: provider.id } })
    }
    await audit.record({ type: 'external.login', userId: user.id, ip, details: { provider: provider.id } })
    return user
  }

  return {
    /** The user this identity signs in as; a new account when neither the identity nor its proven email is known. */
    async signIn (provider: ProviderRef, profile: ExternalProfile, ip: string): Promise<User> {
      try {
        return await signInOnce(provider, profile, ip)
      } catch (err) {
        if (!(err instanceof UniqueConstraintViolationException)) throw err
        // The same person signed in at the same moment elsewhere, and that sign-in made the identity.
        return await signInOnce(provider, profile, ip)
      }
    },

    /** Links the identity to a signed-in user; linking it again is a no-op, to someone else a 409. */
    async link (provider: ProviderRef, profile: ExternalProfile, userId: string, ip: string): Promise<void> {
      const em = orm.em.fork()
      const known = await em.findOne(Identity, { provider: provider.id, subject: profile.subject })
      if (known !== null) {
        if (known.user.id !== userId) throw new IdentityLinkedElsewhere(provider.name)
        return
      }
      const email = profile.email === undefined ? null : normalizeEmail(profile.email)
      em.create(Identity, { id: randomUUID(), provider: provider.id, subject: profile.subject, user: em.getReference(User, userId), email, linkedAt: new Date() })
      await em.flush()
      await audit.record({ type: 'external.link', userId, ip, details: { provider: provider.id, automatic: false } })
    },

    /** The user's identities, and whether each may go: never the last way to sign in. */
    async list (userId: string): Promise<Array<{ identity: Identity, canUnlink: boolean }>> {
      const em = orm.em.fork()
      const user = await em.findOneOrFail(User, { id: userId })
      const identities = await em.find(Identity, { user: userId }, { orderBy: { linkedAt: 'asc' } })
      const canUnlink = user.passwordHash != null || identities.length > 1
      return identities.map((identity) => ({ identity, canUnlink }))
    },

    async unlink (userId: string, identityId: string, ip: string): Promise<void> {
      const em = orm.em.fork()
      const identity = await em.findOne(Identity, { id: identityId, user: userId }, { populate: ['user'] })
      if (identity === null) throw new NotFound(`Identity ${identityId} not found`)
      if (identity.user.passwordHash == null && await em.count(Identity, { user: userId }) === 1) throw new LastSignInMethod()
      await em.removeAndFlush(identity)
      await audit.record({ type: 'external.unlink', userId, ip, details: { provider: identity.provider } })
    }
  }
}
