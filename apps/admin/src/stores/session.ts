/** Who is signed in and what they may do: shared by the router guard, the shell and the views. */
import type { LoginBody, MeResponse, Permission, SetupBody, User } from '@tessera/api/contract'
import { computed, reactive, readonly } from 'vue'
import { getMe, login, logout, setUp } from '../api/auth'

interface SessionState {
  user: User | null
  permissions: Permission[]
  auth: MeResponse['auth'] | null
  /** True once we asked the server whether there is a session. */
  loaded: boolean
}

const state = reactive<SessionState>({ user: null, permissions: [], auth: null, loaded: false })
let pending: Promise<void> | null = null

function apply(me: MeResponse | null): void {
  state.user = me?.user ?? null
  state.permissions = me?.permissions ?? []
  state.auth = me?.auth ?? null
  state.loaded = true
}

/** Asks the server once (or again with `force`); concurrent callers share the request. */
export function loadSession(force = false): Promise<void> {
  if (state.loaded && !force) return Promise.resolve()
  pending ??= getMe()
    .then(apply)
    .finally(() => {
      pending = null
    })
  return pending
}

export async function signIn(body: LoginBody): Promise<void> {
  await login(body)
  await loadSession(true)
}

/** Creates the first admin account of a new server; the server signs it in right away. */
export async function setUpFirstAdmin(body: SetupBody): Promise<void> {
  await setUp(body)
  await loadSession(true)
}

export async function signOut(): Promise<void> {
  try {
    await logout()
  } finally {
    clearSession()
  }
}

/** Forget the session locally (the server said 401, or the user signed out). */
export function clearSession(): void {
  apply(null)
}

export function useSession() {
  return {
    state: readonly(state),
    user: computed(() => state.user),
    /** An administrator requires a new password: the console shows nothing else until then. */
    passwordChangeRequired: computed(() => state.auth?.passwordChangeRequired === true),
    can: (permission: Permission) => state.permissions.includes(permission),
  }
}
