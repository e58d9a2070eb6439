/** The one-time "Connect Tessera" notification for a fresh install. */
import { Action } from './actions.js'
import type { ConnectionState } from './connection.js'
import type { Ui } from './ui.js'

/** The part of `vscode.Memento` used here. Holds a flag only, never anything secret. */
export interface FlagStore {
  get<T>(key: string): T | undefined
  update(key: string, value: unknown): PromiseLike<void>
}

export const WELCOMED_KEY = 'tessera.welcomed'

/** Resolves to the chosen action, if any. Shown once per installation, and only when signed out. */
export async function welcome(deps: {
  state: ConnectionState
  flags: FlagStore
  ui: Ui
}): Promise<Action | undefined> {
  if (deps.state.kind !== 'no_server' && deps.state.kind !== 'signed_out') return undefined
  if (deps.flags.get<boolean>(WELCOMED_KEY)) return undefined
  await deps.flags.update(WELCOMED_KEY, true)
  const choice = await deps.ui.show(
    'info',
    "Connect Tessera to give VS Code's chat your workspace's tools. You need your server's address; then you sign in with the browser (or paste an API token).",
    [Action.Connect, Action.OpenWalkthrough, Action.NotNow],
  )
  return choice === Action.Connect || choice === Action.OpenWalkthrough ? choice : undefined
}
