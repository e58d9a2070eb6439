import type { Settings } from '@tessera/api/contract'
import { http } from './client'

export const getSettings = () => http.get<Settings>('/admin/settings')

export const updateSettings = (settings: Settings) =>
  http.put<Settings>('/admin/settings', settings)
