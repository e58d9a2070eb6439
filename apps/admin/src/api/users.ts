import type { AdminUser, CreateUserBody, UpdateUserBody, UserList } from '@tessera/api/contract'
import { http } from './client'

// The API wraps a single user as `{ user }`; the contract has no named type for that yet.
interface UserEnvelope {
  user: AdminUser
}

export const listUsers = () => http.get<UserList>('/admin/users')

export const createUser = async (body: CreateUserBody) =>
  (await http.post<UserEnvelope>('/admin/users', body)).user

export const updateUser = async (id: string, body: UpdateUserBody) =>
  (await http.patch<UserEnvelope>(`/admin/users/${encodeURIComponent(id)}`, body)).user
