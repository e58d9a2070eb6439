/**
 * Where the token lives: VS Code's SecretStorage, and nowhere else. The secret is stored
 * together with the server URL it was validated against, so changing `tessera.serverUrl`
 * (by hand, or by a malicious link) never sends the token to another server. After "Sign in with
 * browser" the token is the grant's access token, stored with its refresh token.
 */
import type { Disposable, Event } from './events.js'
import { Emitter } from './events.js'
import { type Log, silentLog } from './log.js'

/** What a browser sign-in adds to its access token: how to renew it, and how to end it. */
export interface OAuthGrant {
  /** The client the grant was issued to (refreshing and revoking name it). */
  clientId: string
  refreshToken: string
  /** When the access token stops working, in ms since the epoch. */
  accessTokenExpiresAt: number
  tokenEndpoint: string
  revocationEndpoint?: string
}

export interface Credential {
  serverUrl: string
  /** A pasted API token, or the access token of a browser sign-in. */
  token: string
  oauth?: OAuthGrant
}

export interface TokenStore {
  /** The stored credential, or undefined (none, unreadable keyring, corrupt value). */
  get(): Promise<Credential | undefined>
  set(credential: Credential): Promise<void>
  clear(): Promise<void>
  /** Fires whenever the stored credential may have changed, in this window or another. */
  readonly onDidChange: Event<void>
}

/** The part of `vscode.SecretStorage` this module needs. */
export interface SecretsLike {
  get(key: string): PromiseLike<string | undefined>
  store(key: string, value: string): PromiseLike<void>
  delete(key: string): PromiseLike<void>
  onDidChange(listener: (event: { key: string }) => unknown): Disposable
}

export const SECRET_KEY = 'tessera.credential'

export function createSecretTokenStore(
  secrets: SecretsLike,
  log: Log = silentLog,
): TokenStore & Disposable {
  const changed = new Emitter<void>()
  // SecretStorage fires for changes made by other windows too; that keeps every window in step.
  const subscription = secrets.onDidChange((event) => {
    if (event.key === SECRET_KEY) changed.fire()
  })
  return {
    async get() {
      let raw: string | undefined
      try {
        raw = await secrets.get(SECRET_KEY)
      } catch (error) {
        // Linux without a keyring: treat as signed out, but say why in the log.
        log.warn(`Could not read VS Code's secret storage: ${errorMessage(error)}`)
        return undefined
      }
      if (raw === undefined) return undefined
      const credential = parseCredential(raw)
      if (!credential) log.warn('Ignoring an unreadable Tessera credential in secret storage.')
      return credential
    },
    async set(credential) {
      await secrets.store(
        SECRET_KEY,
        JSON.stringify({
          v: 1,
          serverUrl: credential.serverUrl,
          token: credential.token,
          ...(credential.oauth ? { oauth: credential.oauth } : {}),
        }),
      )
    },
    async clear() {
      await secrets.delete(SECRET_KEY)
    },
    onDidChange: changed.event,
    dispose() {
      subscription.dispose()
      changed.dispose()
    },
  }
}

function parseCredential(raw: string): Credential | undefined {
  try {
    const value: unknown = JSON.parse(raw)
    if (
      typeof value === 'object' &&
      value !== null &&
      'serverUrl' in value &&
      'token' in value &&
      typeof value.serverUrl === 'string' &&
      typeof value.token === 'string'
    ) {
      const oauth = 'oauth' in value ? parseGrant(value.oauth) : undefined
      // A browser sign-in whose renewal data is unreadable cannot be kept working: signed out.
      if ('oauth' in value && !oauth) return undefined
      return { serverUrl: value.serverUrl, token: value.token, ...(oauth ? { oauth } : {}) }
    }
  } catch {
    // fall through
  }
  return undefined
}

function parseGrant(value: unknown): OAuthGrant | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const grant = value as Record<string, unknown>
  if (
    typeof grant.clientId !== 'string' ||
    typeof grant.refreshToken !== 'string' ||
    typeof grant.accessTokenExpiresAt !== 'number' ||
    typeof grant.tokenEndpoint !== 'string'
  ) {
    return undefined
  }
  return {
    clientId: grant.clientId,
    refreshToken: grant.refreshToken,
    accessTokenExpiresAt: grant.accessTokenExpiresAt,
    tokenEndpoint: grant.tokenEndpoint,
    ...(typeof grant.revocationEndpoint === 'string'
      ? { revocationEndpoint: grant.revocationEndpoint }
      : {}),
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
