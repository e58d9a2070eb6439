/** What the status bar item shows for each connection state, and what clicking it does. */
import type { ConnectionState } from './connection.js'
import { expiresSoon } from './expiry.js'
import { describeState, describeTimeUntil } from './messages.js'

export interface StatusBarView {
  text: string
  tooltip: string
  command: string
  severity: 'normal' | 'warning' | 'error'
}

export function renderStatusBar(state: ConnectionState, now: number): StatusBarView {
  const tooltip = describeState(state, now).message
  switch (state.kind) {
    case 'no_server':
    case 'signed_out':
      return {
        text: '$(plug) Tessera',
        tooltip: `${tooltip} Click to connect.`,
        command: 'tessera.connect',
        severity: 'normal',
      }
    case 'bad_server_url':
    case 'other_server':
      return {
        text: '$(warning) Tessera',
        tooltip,
        command: 'tessera.showStatus',
        severity: 'warning',
      }
    case 'starting':
    case 'checking':
      return {
        text: '$(sync~spin) Tessera',
        tooltip,
        command: 'tessera.showStatus',
        severity: 'normal',
      }
    case 'connected': {
      const { expiresAt } = state.identity
      // A browser sign-in's access token lasts an hour and renews itself: nothing to warn about.
      if (!state.browser && expiresAt !== null && expiresSoon(expiresAt, now)) {
        return {
          text: `$(warning) Tessera: token expires ${describeTimeUntil(expiresAt, now)}`,
          tooltip: `${tooltip} Click to rotate it.`,
          command: 'tessera.rotateToken',
          severity: 'warning',
        }
      }
      return {
        text: '$(check) Tessera',
        tooltip,
        command: 'tessera.showStatus',
        severity: 'normal',
      }
    }
    case 'rejected': {
      if (state.browser) {
        return {
          text: '$(error) Tessera: sign-in ended',
          tooltip: `${tooltip} Click to sign in again.`,
          command: 'tessera.connect',
          severity: 'error',
        }
      }
      const failure = state.failure
      const code =
        failure.kind === 'format'
          ? 'token_malformed'
          : failure.kind === 'rejected'
            ? failure.code
            : ''
      const what =
        code === 'token_expired'
          ? 'token expired'
          : code === 'token_revoked'
            ? 'token revoked'
            : code === 'user_disabled'
              ? 'account disabled'
              : 'token refused'
      return {
        text: `$(error) Tessera: ${what}`,
        tooltip: `${tooltip} Click to replace the token.`,
        command: 'tessera.replaceToken',
        severity: 'error',
      }
    }
    case 'unverified':
      return {
        text: '$(cloud-offline) Tessera',
        tooltip,
        command: 'tessera.showStatus',
        severity: 'warning',
      }
  }
}
