import type {
  OAuthClient,
  OAuthClientList,
  OAuthSettings,
  UpdateOAuthClientBody,
} from '@tessera/api/contract'
import { http } from './client'

export const getOAuthSettings = () => http.get<OAuthSettings>('/admin/oauth/settings')

export const updateOAuthSettings = (settings: OAuthSettings) =>
  http.put<OAuthSettings>('/admin/oauth/settings', settings)

export const listOAuthClients = async () =>
  (await http.get<OAuthClientList>('/admin/oauth/clients')).clients

/** Blocks or approves a client; blocking disconnects every app it connected. */
export const updateOAuthClient = async (id: string, body: UpdateOAuthClientBody) =>
  (
    await http.patch<{ client: OAuthClient }>(
      `/admin/oauth/clients/${encodeURIComponent(id)}`,
      body,
    )
  ).client
