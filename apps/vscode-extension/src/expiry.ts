/**
 * Warns once per token and session when the token expires within a week, and offers to rotate
 * it (new secret, fresh lifetime) without leaving the editor.
 */
import { Action } from './actions.js'
import type { Connection, ConnectionState } from './connection.js'
import type { Disposable } from './events.js'
import { describeTimeUntil, formatDate } from './messages.js'
import type { Ui } from './ui.js'

export const EXPIRY_WARNING_DAYS = 7
const DAY_MS = 86_400_000

/** True when the token expires within `days` from `now` and has not expired yet. */
export function expiresSoon(
  expiresAt: string | null,
  now: number,
  days = EXPIRY_WARNING_DAYS,
): boolean {
  if (expiresAt === null) return false
  const remaining = Date.parse(expiresAt) - now
  return remaining > 0 && remaining <= days * DAY_MS
}

export interface ExpiryWatcherDeps {
  connection: Connection
  ui: Ui
  now(): number
  rotate(): Promise<unknown>
}

export function createExpiryWatcher(deps: ExpiryWatcherDeps): Disposable & {
  /** Looks at a state; resolves when the user has answered (tests await it). */
  consider(state: ConnectionState): Promise<void>
} {
  const warned = new Set<string>()

  async function consider(state: ConnectionState): Promise<void> {
    // A browser sign-in renews its hour-long access token itself (token-refresh.ts).
    if (state.kind !== 'connected' || state.browser) return
    const { identity } = state
    if (!expiresSoon(identity.expiresAt, deps.now()) || identity.expiresAt === null) return
    if (warned.has(identity.tokenId)) return
    warned.add(identity.tokenId)
    const choice = await deps.ui.show(
      'warning',
      `Your Tessera token "${identity.tokenName}" expires ${formatDate(identity.expiresAt)} (${describeTimeUntil(identity.expiresAt, deps.now())}). Rotate it now to get a new secret with a fresh lifetime; the MCP server switches over without a restart.`,
      [Action.RotateNow, Action.Later],
    )
    if (choice === Action.RotateNow) await deps.rotate()
  }

  const subscription = deps.connection.onDidChangeState((state) => {
    void consider(state)
  })
  return { consider, dispose: () => subscription.dispose() }
}
