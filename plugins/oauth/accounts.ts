// Local accounts: registration, sign-in with backoff, email verification, password reset and change,
// deletion, and creating users directly (first admin, CLI). Answers about an email are uniform.
import { UniqueConstraintViolationException, type EntityManager, type MikroORM } from '@mikro-orm/core'
import { randomUUID } from 'node:crypto'
import type { Config } from '../../server/config.js'
import type { Audit } from './audit.js'
import { ApiToken, Identity, OneTimeToken, RefreshToken, Session, User } from './entities.js'
import { DeletionNotConfirmed, InvalidCredentials, InvalidToken, LoginLocked, WeakPassword, WrongPassword } from './errors.js'
import { LIFETIME } from './lifetimes.js'
import type { Mailer } from './mailer.js'
import { alreadyRegisteredMail, resetMail, verificationMail } from './mails.js'
import { consumeOneTimeToken, issueOneTimeToken } from './one-time-tokens.js'
import { hashPassword, needsRehash, passwordWeakness, verifyPassword } from './passwords.js'
import type { LoginThrottleService } from './throttle.js'
import { formatRoles, normalizeEmail, parseRoles } from './users.js'

export interface AccountDeps {
  orm: MikroORM
  config: Config
  mailer: Mailer
  audit: Audit
  throttle: LoginThrottleService
  requireEmailVerification: boolean
}

export interface NewUser { email: string, password: string, roles?: string[], verified?: boolean }

export type Accounts = ReturnType<typeof createAccounts>

export function createAccounts ({ orm, config, mailer, audit, throttle, requireEmailVerification }: AccountDeps) {
  const cost = config.passwordHashCost
  // Compared against when the email is unknown, so a miss costs the same time as a wrong password.
  const dummyHash = hashPassword('not a password of anyone', cost)
  const link = (page: string, token: string): string => `${config.publicUrl}/${page}?token=${encodeURIComponent(token)}`

  function checkStrength (password: string, email: string): void {
    const weakness = passwordWeakness(password, email)
    if (weakness !== undefined) throw new WeakPassword(weakness)
  }

  /** ADMIN_EMAILS make an admin only of someone who proved the address, unless verification is off. */
  function rolesFor (email: string, verified: boolean, roles: string[] = ['user']): string[] {
    const listed = config.adminEmails?.includes(email) === true
    return listed && (verified || !requireEmailVerification) ? [...roles, 'admin'] : roles
  }

  async function sendVerification (em: EntityManager, user: User): Promise<void> {
    await em.nativeDelete(OneTimeToken, { user, purpose: 'verify-email' })
    const token = await issueOneTimeToken(em, 'verify-email', user, LIFETIME.verifyEmail)
    await mailer.send(verificationMail(user.email, link('verify-email', token)))
  }

  async function setPassword (em: EntityManager, user: User, password: string): Promise<void> {
    user.passwordHash = await hashPassword(password, cost)
    await em.flush()
  }

  /** Signs every client of this user out: sessions, refresh tokens (access tokens lapse within minutes). */
  async function signOutEverywhere (em: EntityManager, user: User, keepSessionId?: string): Promise<void> {
    await em.nativeDelete(Session, { user, ...(keepSessionId === undefined ? {} : { id: { $ne: keepSessionId } }) })
    await em.nativeUpdate(RefreshToken, { user, revokedAt: null }, { revokedAt: new Date() })
  }

  async function checkPassword (user: User | null, password: string): Promise<boolean> {
    if (user?.passwordHash == null) {
      await verifyPassword(password, await dummyHash)
      return false
    }
    return await verifyPassword(password, user.passwordHash)
  }

  return {
    async register (input: { email: string, password: string }, ip: string): Promise<void> {
      const email = normalizeEmail(input.email)
      checkStrength(input.password, email)
      // Hashed before looking the email up: a taken email answers as fast as a new one.
      const passwordHash = await hashPassword(input.password, cost)
      const em = orm.em.fork()
      const user = em.create(User, { id: randomUUID(), email, passwordHash, roles: formatRoles(rolesFor(email, false)), createdAt: new Date(), updatedAt: new Date() })
      try {
        await em.flush()
      } catch (err) {
        if (!(err instanceof UniqueConstraintViolationException)) throw err
        await mailer.send(alreadyRegisteredMail(email, config.publicUrl))
        return
      }
      await audit.record({ type: 'register', userId: user.id, ip })
      await sendVerification(em, user)
    },

    async resendVerification (userId: string): Promise<void> {
      const em = orm.em.fork()
      const user = await em.findOneOrFail(User, { id: userId })
      if (user.emailVerifiedAt == null) await sendVerification(em, user)
    },

    async verifyEmail (token: string, ip: string): Promise<User> {
      const em = orm.em.fork()
      const used = await consumeOneTimeToken(em, 'verify-email', token)
      if (used?.user == null) throw new InvalidToken()
      const user = used.user
      user.emailVerifiedAt ??= new Date()
      user.roles = formatRoles(rolesFor(user.email, true, parseRoles(user.roles)))
      await em.flush()
      await audit.record({ type: 'email.verify', userId: user.id, ip })
      return user
    },

    /** Checks email and password with per-account backoff; the answer is the same for unknown emails. */
    async authenticate (input: { email: string, password: string }, ip: string): Promise<User> {
      const email = normalizeEmail(input.email)
      const lockedMs = await throttle.lockedFor(email)
      if (lockedMs > 0) throw new LoginLocked(Math.ceil(lockedMs / 1000))
      const em = orm.em.fork()
      const user = await em.findOne(User, { email })
      if (!(await checkPassword(user, input.password)) || user === null) {
        const lockMs = await throttle.fail(email)
        await audit.record({ type: 'login.failure', userId: user?.id, ip, details: { email } })
        if (lockMs > 0) await audit.record({ type: 'login.lockout', userId: user?.id, ip, details: { email, seconds: Math.ceil(lockMs / 1000) } })
        throw new InvalidCredentials()
      }
      await throttle.clear(email)
      if (needsRehash(user.passwordHash!, cost)) await setPassword(em, user, input.password)
      await audit.record({ type: 'login', userId: user.id, ip })
      return user
    },

    async forgotPassword (rawEmail: string): Promise<void> {
      const email = normalizeEmail(rawEmail)
      const em = orm.em.fork()
      const user = await em.findOne(User, { email })
      if (user === null) return
      await em.nativeDelete(OneTimeToken, { user, purpose: 'reset-password' })
      const token = await issueOneTimeToken(em, 'reset-password', user, LIFETIME.resetPassword)
      await mailer.send(resetMail(email, link('reset-password', token)))
    },

    async resetPassword (input: { token: string, password: string }, ip: string): Promise<void> {
      const em = orm.em.fork()
      const used = await consumeOneTimeToken(em, 'reset-password', input.token, (found) => {
        if (found.user != null) checkStrength(input.password, found.user.email)
      })
      if (used?.user == null) throw new InvalidToken()
      const user = used.user
      // Following the mailed link proves the address as well as verifying it would.
      user.emailVerifiedAt ??= new Date()
      await setPassword(em, user, input.password)
      await signOutEverywhere(em, user)
      await throttle.clear(user.email)
      await audit.record({ type: 'password.reset', userId: user.id, ip })
    },

    async changePassword (userId: string, input: { currentPassword: string, newPassword: string }, keepSessionId: string | undefined, ip: string): Promise<void> {
      const em = orm.em.fork()
      const user = await em.findOneOrFail(User, { id: userId })
      if (!(await checkPassword(user, input.currentPassword))) throw new WrongPassword()
      checkStrength(input.newPassword, user.email)
      await setPassword(em, user, input.newPassword)
      await signOutEverywhere(em, user, keepSessionId)
      await audit.record({ type: 'password.change', userId: user.id, ip })
    },

    async deleteAccount (userId: string, confirmation: { password?: string, confirmEmail?: string }, ip: string): Promise<void> {
      const em = orm.em.fork()
      const user = await em.findOneOrFail(User, { id: userId })
      if (user.passwordHash !== null) {
        if (confirmation.password === undefined || !(await checkPassword(user, confirmation.password))) throw new WrongPassword()
      } else if (confirmation.confirmEmail?.trim().toLowerCase() !== user.email.toLowerCase()) {
        throw new DeletionNotConfirmed()
      }
      await em.transactional(async (tx) => {
        for (const entity of [Session, RefreshToken, ApiToken, OneTimeToken, Identity]) await tx.nativeDelete(entity, { user: userId })
        await tx.nativeDelete(User, { id: userId })
      })
      await audit.record({ type: 'account.delete', userId, ip, details: { email: user.email } })
    },

    /** An account that signs in only through an external provider: no password, verified when the provider says so. */
    async createExternalUser (input: { email: string, verified: boolean }, em: EntityManager): Promise<User> {
      const user = em.create(User, {
        id: randomUUID(),
        email: input.email,
        passwordHash: null,
        emailVerifiedAt: input.verified ? new Date() : null,
        roles: formatRoles(rolesFor(input.email, input.verified)),
        createdAt: new Date(),
        updatedAt: new Date()
      })
      await em.flush()
      return user
    },

    /** Creates a user outright (first admin, CLI, tests). Fails with a unique violation when the email is taken. */
    async createUser (input: NewUser, em: EntityManager = orm.em.fork()): Promise<User> {
      const email = normalizeEmail(input.email)
      checkStrength(input.password, email)
      const verified = input.verified ?? true
      const user = em.create(User, {
        id: randomUUID(),
        email,
        passwordHash: await hashPassword(input.password, cost),
        emailVerifiedAt: verified ? new Date() : null,
        roles: formatRoles(rolesFor(email, verified, input.roles)),
        createdAt: new Date(),
        updatedAt: new Date()
      })
      await em.flush()
      return user
    }
  }
}
