import type { Permission, Role } from '../contract/index.js'

export interface PermissionPolicy {
  membersCanManageTokens: boolean
}

/** What a role may do. Roles are fixed in code; the policy can take ManageApiTokens from members. */
export function permissionsFor(role: Role, policy: PermissionPolicy): Permission[] {
  if (role === 'admin') {
    return [
      'ManageApiTokens',
      'ManageUsers',
      'ManageAllTokens',
      'ViewAllActivity',
      'ManageSettings',
    ]
  }
  return policy.membersCanManageTokens ? ['ManageApiTokens'] : []
}

/**
 * Administration: users, everyone's tokens, the whole activity feed, settings. These need a signed-in
 * console session; API tokens never carry them, whatever their user's role or scopes, so a leaked
 * or narrowed token can never create users, mint credentials or change policy.
 */
export const ADMIN_PERMISSIONS: ReadonlySet<Permission> = new Set([
  'ManageUsers',
  'ManageAllTokens',
  'ViewAllActivity',
  'ManageSettings',
])

/** What a request authenticated with an API token may do: its user's permissions minus administration. */
export function tokenPermissionsFor(role: Role, policy: PermissionPolicy): Permission[] {
  return permissionsFor(role, policy).filter((p) => !ADMIN_PERMISSIONS.has(p))
}
