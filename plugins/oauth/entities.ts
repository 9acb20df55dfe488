// Accounts and credentials. Opaque secrets are stored only as SHA-256 hashes (`tokenHash`).
import { EntitySchema } from '@mikro-orm/core'

export class User {
  id!: string
  email!: string
  /** Null for accounts that only sign in through an external provider. */
  passwordHash?: string | null
  emailVerifiedAt?: Date | null
  /** Role names delimited on both sides (`,admin,user,`) so `$like '%,admin,%'` finds a role on both dialects. */
  roles!: string
  createdAt: Date = new Date()
  updatedAt: Date = new Date()
}

/** A signed-in browser (console session cookie). */
export class Session {
  id!: string
  tokenHash!: string
  user!: User
  createdAt: Date = new Date()
  lastSeenAt: Date = new Date()
  expiresAt!: Date
  userAgent?: string | null
  ip?: string | null
}

/** Opaque refresh token of an API/CLI client; rotated on every use, grouped in families (RFC 6749 §10.4). */
export class RefreshToken {
  id!: string
  tokenHash!: string
  familyId!: string
  user!: User
  createdAt: Date = new Date()
  expiresAt!: Date
  usedAt?: Date | null
  revokedAt?: Date | null
}

/** Personal API token with scopes and an expiry. */
export class ApiToken {
  id!: string
  tokenHash!: string
  user!: User
  name!: string
  /** Space-separated, as in an OAuth `scope` parameter. */
  scopes!: string
  createdAt: Date = new Date()
  expiresAt!: Date
  lastUsedAt?: Date | null
}

export type OneTimePurpose = 'verify-email' | 'reset-password' | 'setup-admin' | 'instance-sign-in'

/** Single-use, expiring token behind an emailed or logged link, or an instance host's sign-in code. */
export class OneTimeToken {
  id!: string
  tokenHash!: string
  purpose!: OneTimePurpose
  user?: User | null
  /** SHA-256 of what the token is only valid with (an instance code: its client, redirect URI and PKCE challenge). */
  binding?: string | null
  createdAt: Date = new Date()
  expiresAt!: Date
}

/** Consecutive failed sign-ins per email (hashed), whether or not an account has it, so lockouts reveal nothing. */
export class LoginThrottle {
  key!: string
  failures!: number
  lockedUntil?: Date | null
  updatedAt: Date = new Date()
}

/** An account at an external provider (GitHub, Google, WeChat, an OIDC issuer) that signs in as a user. */
export class Identity {
  id!: string
  /** `github`, `google`, `wechat` or a configured OIDC provider's id. */
  provider!: string
  /** The provider's stable id of the person: GitHub user id, OIDC `sub`, WeChat `unionid` (else `openid`). */
  subject!: string
  user!: User
  /** The email the provider gave when linked, for showing; null when it gave none (WeChat). */
  email?: string | null
  linkedAt: Date = new Date()
}

export class AuditEvent {
  id!: string
  at: Date = new Date()
  type!: string
  /** Plain ids, not foreign keys: the trail outlives deleted accounts. */
  userId?: string | null
  actorId?: string | null
  ip?: string | null
  details?: Record<string, unknown> | null
}

/**
 * One artefact of the authorization server (oidc-provider's models: sessions, interactions, grants,
 * codes, device codes, refresh tokens…), keyed by model name and id, with the lookups it needs.
 */
export class OidcRecord {
  model!: string
  id!: string
  payload!: Record<string, unknown>
  expiresAt?: Date | null
  grantId?: string | null
  userCode?: string | null
  uid?: string | null
}

const id = { type: 'uuid', primary: true } as const
const tokenHash = { type: 'string', length: 64, unique: true } as const
const owner = { kind: 'm:1', entity: () => User, deleteRule: 'cascade', index: true } as const

export const UserSchema = new EntitySchema<User>({
  class: User,
  tableName: 'users',
  properties: {
    id,
    email: { type: 'string', length: 320, unique: true },
    passwordHash: { type: 'text', nullable: true },
    emailVerifiedAt: { type: 'datetime', nullable: true },
    roles: { type: 'string', length: 200 },
    createdAt: { type: 'datetime' },
    updatedAt: { type: 'datetime', onUpdate: () => new Date() }
  }
})

export const SessionSchema = new EntitySchema<Session>({
  class: Session,
  tableName: 'sessions',
  properties: {
    id,
    tokenHash,
    user: owner,
    createdAt: { type: 'datetime' },
    lastSeenAt: { type: 'datetime' },
    expiresAt: { type: 'datetime' },
    userAgent: { type: 'string', length: 300, nullable: true },
    ip: { type: 'string', length: 64, nullable: true }
  }
})

export const RefreshTokenSchema = new EntitySchema<RefreshToken>({
  class: RefreshToken,
  tableName: 'refresh_tokens',
  properties: {
    id,
    tokenHash,
    familyId: { type: 'uuid', index: true },
    user: owner,
    createdAt: { type: 'datetime' },
    expiresAt: { type: 'datetime' },
    usedAt: { type: 'datetime', nullable: true },
    revokedAt: { type: 'datetime', nullable: true }
  }
})

export const ApiTokenSchema = new EntitySchema<ApiToken>({
  class: ApiToken,
  tableName: 'api_tokens',
  properties: {
    id,
    tokenHash,
    user: owner,
    name: { type: 'string', length: 100 },
    scopes: { type: 'string', length: 500 },
    createdAt: { type: 'datetime' },
    expiresAt: { type: 'datetime' },
    lastUsedAt: { type: 'datetime', nullable: true }
  }
})

export const OneTimeTokenSchema = new EntitySchema<OneTimeToken>({
  class: OneTimeToken,
  tableName: 'one_time_tokens',
  properties: {
    id,
    tokenHash,
    purpose: { type: 'string', length: 32 },
    user: { ...owner, nullable: true },
    binding: { type: 'string', length: 64, nullable: true },
    createdAt: { type: 'datetime' },
    expiresAt: { type: 'datetime' }
  }
})

export const LoginThrottleSchema = new EntitySchema<LoginThrottle>({
  class: LoginThrottle,
  tableName: 'login_throttles',
  properties: {
    key: { type: 'string', length: 64, primary: true },
    failures: { type: 'integer' },
    lockedUntil: { type: 'datetime', nullable: true },
    updatedAt: { type: 'datetime', onUpdate: () => new Date() }
  }
})

export const IdentitySchema = new EntitySchema<Identity>({
  class: Identity,
  tableName: 'identities',
  uniques: [{ properties: ['provider', 'subject'] }],
  properties: {
    id,
    provider: { type: 'string', length: 64 },
    subject: { type: 'string', length: 255 },
    user: owner,
    email: { type: 'string', length: 320, nullable: true },
    linkedAt: { type: 'datetime' }
  }
})

export const AuditEventSchema = new EntitySchema<AuditEvent>({
  class: AuditEvent,
  tableName: 'audit_events',
  properties: {
    id,
    at: { type: 'datetime', index: true },
    type: { type: 'string', length: 64, index: true },
    userId: { type: 'uuid', nullable: true, index: true },
    actorId: { type: 'uuid', nullable: true },
    ip: { type: 'string', length: 64, nullable: true },
    details: { type: 'json', nullable: true }
  }
})

export const OidcRecordSchema = new EntitySchema<OidcRecord>({
  class: OidcRecord,
  tableName: 'oidc_records',
  properties: {
    model: { type: 'string', length: 64, primary: true },
    id: { type: 'string', length: 255, primary: true },
    payload: { type: 'json' },
    expiresAt: { type: 'datetime', nullable: true, index: true },
    grantId: { type: 'string', length: 255, nullable: true, index: true },
    userCode: { type: 'string', length: 64, nullable: true, index: true },
    uid: { type: 'string', length: 255, nullable: true, index: true }
  }
})

export const oauthEntities = [UserSchema, SessionSchema, RefreshTokenSchema, ApiTokenSchema, OneTimeTokenSchema, LoginThrottleSchema, AuditEventSchema, OidcRecordSchema, IdentitySchema]
