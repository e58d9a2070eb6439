import type {
  CreateUserBody,
  RequirePasswordChangeResponse,
  UpdateUserBody,
  UserList,
  UserResponse,
} from '@tessera/api/contract'
import { http } from './client'

export const listUsers = () => http.get<UserList>('/admin/users')

export const createUser = async (body: CreateUserBody) =>
  (await http.post<UserResponse>('/admin/users', body)).user

export const updateUser = async (id: string, body: UpdateUserBody) =>
  (await http.patch<UserResponse>(`/admin/users/${encodeURIComponent(id)}`, body)).user

/** Ends the user's sessions; their next sign-in must choose a new password first. */
export const requirePasswordChange = (id: string) =>
  http.post<RequirePasswordChangeResponse>(
    `/admin/users/${encodeURIComponent(id)}/require-password-change`,
  )
