import type {
  ChangePasswordBody,
  ChangePasswordResponse,
  ConsoleSession,
  ConsoleSessionList,
  SessionsEnded,
} from '@tessera/api/contract'
import { http } from './client'

/** Changes the signed-in user's password; their other console sessions end. */
export const changePassword = (body: ChangePasswordBody) =>
  http.put<ChangePasswordResponse>('/me/password', body)

export const listSessions = async (): Promise<ConsoleSession[]> =>
  (await http.get<ConsoleSessionList>('/me/sessions')).sessions

export const endSession = (id: string) => http.delete(`/me/sessions/${encodeURIComponent(id)}`)

/** Signs out every other console session of the user; answers how many ended. */
export const endOtherSessions = async () =>
  (await http.delete<SessionsEnded>('/me/sessions')).sessionsEnded
