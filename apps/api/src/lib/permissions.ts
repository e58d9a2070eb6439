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
