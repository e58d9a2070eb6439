import type { Permission } from '@tessera/api/contract'

/** What each permission lets someone do, for the "missing permission" page. */
export const PERMISSION_DESCRIPTIONS: Record<Permission, string> = {
  ManageApiTokens: 'create, rotate and revoke your own API tokens',
  ManageUsers: 'add people to the workspace, change their role and disable accounts',
  ManageAllTokens: 'see and revoke the API tokens of everyone in the workspace',
  ViewAllActivity: 'see the activity of everyone in the workspace',
  ManageSettings: 'change the workspace token policy',
}
