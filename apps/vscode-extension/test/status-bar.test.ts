import { describe, expect, it } from 'vitest'
import type { ConnectionState } from '../src/connection.js'
import { renderStatusBar } from '../src/status-bar.js'
import type { Identity } from '../src/token-check.js'

const now = Date.parse('2026-03-01T00:00:00Z')
const serverUrl = 'https://tessera.example.com'
const identity = (expiresAt: string | null): Identity => ({
  userName: 'Ada',
  tokenId: 't1',
  tokenName: 'laptop',
  tokenPrefix: 'tsr_3fA9c2',
  scopes: ['read', 'write'],
  expiresAt,
})
const view = (state: ConnectionState) => renderStatusBar(state, now)

describe('status bar', () => {
  it('connected: a check mark; clicking shows the status', () => {
    expect(view({ kind: 'connected', serverUrl, identity: identity(null) })).toEqual({
      text: '$(check) Tessera',
      tooltip:
        'Connected to https://tessera.example.com as Ada with token "laptop" (tsr_3fA9c2), which does not expire.',
      command: 'tessera.showStatus',
      severity: 'normal',
    })
  })

  it('while the first check runs: a spinner', () => {
    expect(view({ kind: 'starting' })).toMatchObject({
      text: '$(sync~spin) Tessera',
      severity: 'normal',
    })
  })

  it('not connected: a plug; clicking connects', () => {
    for (const state of [{ kind: 'no_server' }, { kind: 'signed_out', serverUrl }] as const) {
      expect(view(state)).toMatchObject({
        text: '$(plug) Tessera',
        command: 'tessera.connect',
        severity: 'normal',
      })
    }
  })

  it.each([
    ['token_expired', 'token expired'],
    ['token_revoked', 'token revoked'],
    ['user_disabled', 'account disabled'],
    ['token_invalid', 'token refused'],
  ])('%s: an error saying "%s"; clicking replaces the token', (code, words) => {
    expect(
      view({ kind: 'rejected', serverUrl, failure: { kind: 'rejected', status: 401, code } }),
    ).toMatchObject({
      text: `$(error) Tessera: ${words}`,
      command: 'tessera.replaceToken',
      severity: 'error',
    })
  })

  it('expiring within a week: a warning with the time left; clicking rotates', () => {
    expect(
      view({ kind: 'connected', serverUrl, identity: identity('2026-03-04T00:00:00Z') }),
    ).toMatchObject({
      text: '$(warning) Tessera: token expires in 3 days',
      command: 'tessera.rotateToken',
      severity: 'warning',
    })
  })

  it('unreachable: offline icon with the reason in the tooltip', () => {
    const state: ConnectionState = {
      kind: 'unverified',
      serverUrl,
      failure: {
        kind: 'unreachable',
        url: `${serverUrl}/api/v1/tokens/self`,
        errorCode: 'ENOTFOUND',
        detail: '',
      },
    }
    expect(view(state)).toMatchObject({
      text: '$(cloud-offline) Tessera',
      tooltip: expect.stringMatching(/Cannot reach tessera\.example\.com/),
      command: 'tessera.showStatus',
    })
  })

  it('a token saved for another server: a warning; clicking explains', () => {
    expect(
      view({ kind: 'other_server', serverUrl, tokenServerUrl: 'https://old.example.com' }),
    ).toMatchObject({
      text: '$(warning) Tessera',
      command: 'tessera.showStatus',
      severity: 'warning',
    })
  })

  it('signed in with the browser: a check mark, and no warning about the hour-long access token', () => {
    const inAnHour = new Date(now + 3_600_000).toISOString()
    expect(
      view({ kind: 'connected', serverUrl, identity: identity(inAnHour), browser: true }),
    ).toEqual({
      text: '$(check) Tessera',
      tooltip: 'Connected to https://tessera.example.com as Ada, signed in with the browser.',
      command: 'tessera.showStatus',
      severity: 'normal',
    })
  })

  it('a browser sign-in that ended: red, and clicking signs in again', () => {
    const state: ConnectionState = {
      kind: 'rejected',
      serverUrl,
      browser: true,
      failure: { kind: 'rejected', status: 401, code: 'sign_in_ended', message: 'grant revoked' },
    }
    expect(view(state)).toEqual({
      text: '$(error) Tessera: sign-in ended',
      tooltip:
        'Your browser sign-in to https://tessera.example.com has ended: it can no longer be renewed (grant revoked). Sign in again to reconnect. Click to sign in again.',
      command: 'tessera.connect',
      severity: 'error',
    })
  })
})
