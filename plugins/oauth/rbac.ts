// Roles and the scopes they grant: the one table every authorization decision reads.
export const ROLES = ['user', 'admin', 'factory'] as const
export type Role = typeof ROLES[number]

export const SCOPES = ['tenants:read', 'tenants:write', 'devices:read', 'devices:claim', 'factory:register', 'admin'] as const
export type Scope = typeof SCOPES[number]

const USER_SCOPES: Scope[] = ['tenants:read', 'tenants:write', 'devices:read', 'devices:claim']

export const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  user: USER_SCOPES,
  // Admins act on everything, so they hold every scope.
  admin: SCOPES,
  factory: ['factory:register']
}

export function scopesOf (roles: readonly string[]): Scope[] {
  const granted = new Set<Scope>()
  for (const role of roles) for (const scope of ROLE_SCOPES[role as Role] ?? []) granted.add(scope)
  return SCOPES.filter((scope) => granted.has(scope))
}

export function isRole (value: string): value is Role {
  return (ROLES as readonly string[]).includes(value)
}
