import type {
  LoginBody,
  LoginResponse,
  MeResponse,
  SetupBody,
  SetupStatus,
} from '@tessera/api/contract'
import { ApiError, http, setCsrfToken } from './client'

export async function login(body: LoginBody): Promise<LoginResponse> {
  const result = await http.post<LoginResponse>('/auth/login', body, { expectUnauthorized: true })
  setCsrfToken(result.csrfToken)
  return result
}

export async function logout(): Promise<void> {
  try {
    await http.post<void>('/auth/logout', undefined, { expectUnauthorized: true })
  } finally {
    setCsrfToken(null)
  }
}

/** The signed-in user, or null when there is no session. */
export async function getMe(): Promise<MeResponse | null> {
  try {
    const me = await http.get<MeResponse>('/me', { expectUnauthorized: true })
    setCsrfToken(me.auth.csrfToken)
    return me
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null
    throw error
  }
}

/** Whether the server still has no users, so the first admin account must be created. */
export async function getSetupStatus(): Promise<SetupStatus> {
  return http.get<SetupStatus>('/setup', { expectUnauthorized: true })
}

/**
 * Creates the first admin account (only while the server has no users) and signs it in. The
 * body carries the one-time setup code the server printed at start; a wrong one is refused with
 * 403 `setup_code_invalid`.
 */
export async function setUp(body: SetupBody): Promise<LoginResponse> {
  const result = await http.post<LoginResponse>('/setup', body, { expectUnauthorized: true })
  setCsrfToken(result.csrfToken)
  return result
}
