import type { AdminUser, User } from '../../contract/index.js'
import type { UserRow } from '../../db/schema/index.js'

export const presentUser = (u: Pick<UserRow, 'id' | 'email' | 'name' | 'role'>): User => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
})

export const presentAdminUser = (u: UserRow): AdminUser => ({
  ...presentUser(u),
  disabled: u.disabled,
  passwordChangeRequired: u.passwordChangeRequired,
  createdAt: u.createdAt.toISOString(),
})
