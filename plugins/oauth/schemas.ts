// Request and response schemas of the oauth plugin's routes.
import Type from 'typebox'
import { API_TOKEN_MAX_DAYS } from './lifetimes.js'
import { ROLES, SCOPES } from './rbac.js'

export const Email = Type.String({ format: 'email', maxLength: 320 })
// Strength is checked by the service, which can say why a password is weak.
export const Password = Type.String({ minLength: 1, maxLength: 1024 })
const OpaqueToken = Type.String({ minLength: 1, maxLength: 512 })
const Id = Type.String({ format: 'uuid' })
const Scope = Type.Union(SCOPES.map((scope) => Type.Literal(scope)))
const Role = Type.Union(ROLES.map((role) => Type.Literal(role)))
const Timestamp = Type.String({ format: 'date-time' })

export const IdParams = Type.Object({ id: Id })

export const UserView = Type.Object({
  id: Type.String(),
  email: Type.String(),
  roles: Type.Array(Type.String()),
  scopes: Type.Array(Type.String()),
  emailVerified: Type.Boolean(),
  createdAt: Timestamp
})

export const MeView = Type.Object({
  ...UserView.properties,
  requireEmailVerification: Type.Boolean(),
  /** False for an account made by an external sign-in: it has no password to confirm with. */
  hasPassword: Type.Boolean()
})

export const Credentials = Type.Object({ email: Email, password: Password }, { additionalProperties: false })

export const LoginBody = Type.Object({
  email: Email,
  password: Password,
  returnTo: Type.Optional(Type.String({ maxLength: 2048, description: 'Where to go next: a path, the console origin, or an instance host; anything else becomes the console.' }))
}, { additionalProperties: false })

export const LoginAnswer = Type.Object({ user: UserView, csrfToken: Type.String(), returnTo: Type.String() })

export const MailAnswer = Type.Object({
  mail: Type.Union([Type.Literal('sent'), Type.Literal('not-configured')], { description: '`not-configured`: the server has no SMTP; an admin finds the link in its log.' }),
  message: Type.String()
})

export const EmailBody = Type.Object({ email: Email }, { additionalProperties: false })
export const TokenBody = Type.Object({ token: OpaqueToken }, { additionalProperties: false })
export const ResetBody = Type.Object({ token: OpaqueToken, password: Password }, { additionalProperties: false })
export const ChangePasswordBody = Type.Object({ currentPassword: Password, newPassword: Password }, { additionalProperties: false })
export const PasswordBody = Type.Object({ password: Password }, { additionalProperties: false })
/** An account with a password confirms with it; one without (external sign-in only) types its email. */
export const DeleteAccountBody = Type.Object({ password: Type.Optional(Password), confirmEmail: Type.Optional(Type.String({ maxLength: 320 })) }, { additionalProperties: false })
export const LogoutBody = Type.Object({ refresh_token: Type.Optional(OpaqueToken) }, { additionalProperties: false })
export const CsrfAnswer = Type.Object({ csrfToken: Type.String() })

export const TokenRequest = Type.Object({
  grant_type: Type.Union([Type.Literal('password'), Type.Literal('refresh_token')]),
  email: Type.Optional(Email),
  password: Type.Optional(Password),
  refresh_token: Type.Optional(OpaqueToken)
}, { additionalProperties: false })

export const TokenPairView = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  refresh_token: Type.String()
})

export const SessionView = Type.Object({
  id: Type.String(),
  current: Type.Boolean(),
  createdAt: Timestamp,
  lastSeenAt: Timestamp,
  expiresAt: Timestamp,
  userAgent: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()])
})

export const NewApiTokenBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  scopes: Type.Array(Scope, { minItems: 1, uniqueItems: true }),
  expiresInDays: Type.Integer({ minimum: 1, maximum: API_TOKEN_MAX_DAYS, default: 30 })
}, { additionalProperties: false })

export const ApiTokenView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  createdAt: Timestamp,
  expiresAt: Timestamp,
  lastUsedAt: Type.Union([Timestamp, Type.Null()])
})

export const NewApiTokenAnswer = Type.Object({ ...ApiTokenView.properties, token: Type.String({ description: 'Shown this once; only its hash is kept.' }) })

export const UsersQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
  email: Type.Optional(Type.String({ maxLength: 320 }))
})

export const RolesBody = Type.Object({ roles: Type.Array(Role, { minItems: 1, uniqueItems: true }) }, { additionalProperties: false })

export const AuditQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  type: Type.Optional(Type.String({ maxLength: 64 })),
  userId: Type.Optional(Id),
  before: Type.Optional(Timestamp)
})

export const AuditView = Type.Object({
  id: Type.String(),
  at: Timestamp,
  type: Type.String(),
  userId: Type.Union([Type.String(), Type.Null()]),
  actorId: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  details: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])
})

export const SetupStatus = Type.Object({ needed: Type.Boolean() })
export const SetupBody = Type.Object({ token: OpaqueToken, email: Email, password: Password }, { additionalProperties: false })

export const ProvidersAnswer = Type.Object({
  providers: Type.Array(Type.Object({
    id: Type.String(),
    name: Type.String(),
    url: Type.String({ description: 'Where the browser goes to sign in with it; add `?returnTo=` to come back somewhere, `?link=1` (signed in) to link it instead.' })
  }))
})

export const ExternalStartQuery = Type.Object({
  returnTo: Type.Optional(Type.String({ maxLength: 2048, description: 'Where to go after signing in: a path, the console origin, or an instance host; anything else becomes the console.' })),
  link: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('true')], { description: 'Link this provider to the signed-in account instead of signing in.' }))
}, { additionalProperties: false })

/** Whatever the provider appends to the redirect URI: `code` and `state`, or `error` (RFC 6749 §4.1.2). */
export const ExternalCallbackQuery = Type.Record(Type.String(), Type.String({ maxLength: 4096 }))

export const IdentityView = Type.Object({
  id: Type.String(),
  provider: Type.String(),
  providerName: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  linkedAt: Timestamp,
  canUnlink: Type.Boolean({ description: 'False for the last way to sign in (no password and no other identity).' })
})
