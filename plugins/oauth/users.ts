// Users as the API shows them, and the role list as it is stored.
import type { Scope } from './rbac.js'
import { scopesOf } from './rbac.js'
import type { User } from './entities.js'
import type { AuthUser } from './types.js'

export function normalizeEmail (email: string): string {
  return email.trim().toLowerCase()
}

export function parseRoles (stored: string): string[] {
  return stored.split(',').filter((role) => role !== '')
}

export function formatRoles (roles: Iterable<string>): string {
  return `,${[...new Set(roles)].sort().join(',')},`
}

/** The stored form matched by a `$like` query for one role. */
export function roleFilter (role: string): string {
  return `%,${role},%`
}

/** `limit` narrows the roles' scopes, e.g. to what an API token was granted. */
export function toAuthUser (user: User, limit?: readonly string[]): AuthUser {
  const roles = parseRoles(user.roles)
  const scopes: Scope[] = scopesOf(roles).filter((scope) => limit === undefined || limit.includes(scope))
  return { id: user.id, email: user.email, roles, scopes, emailVerified: user.emailVerifiedAt != null }
}

export function describeUser (user: User): AuthUser & { createdAt: string } {
  return { ...toAuthUser(user), createdAt: user.createdAt.toISOString() }
}
