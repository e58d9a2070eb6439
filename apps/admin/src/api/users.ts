import type { CreateUserBody, UpdateUserBody, UserList, UserResponse } from '@tessera/api/contract'
import { http } from './client'

export const listUsers = () => http.get<UserList>('/admin/users')

export const createUser = async (body: CreateUserBody) =>
  (await http.post<UserResponse>('/admin/users', body)).user

export const updateUser = async (id: string, body: UpdateUserBody) =>
  (await http.patch<UserResponse>(`/admin/users/${encodeURIComponent(id)}`, body)).user
