import type {
  DecideOAuthRequestBody,
  OAuthDecision,
  OAuthGrantList,
  OAuthRequest,
} from '@tessera/api/contract'
import { http } from './client'

const requestPath = (id: string) => `/oauth/requests/${encodeURIComponent(id)}`

/** A pending authorization request, as the consent page shows it. */
export const getOAuthRequest = (id: string) => http.get<OAuthRequest>(requestPath(id))

/** Approves or denies it; answers where to send the browser (back to the app). */
export const decideOAuthRequest = (id: string, body: DecideOAuthRequestBody) =>
  http.post<OAuthDecision>(requestPath(id), body)

/** The apps connected through OAuth, newest first. */
export const listConnectedApps = async () =>
  (await http.get<OAuthGrantList>('/oauth/grants')).grants

/** Disconnects an app: its access and refresh tokens stop working on its next request. */
export const disconnectApp = (id: string) => http.delete(`/oauth/grants/${encodeURIComponent(id)}`)
