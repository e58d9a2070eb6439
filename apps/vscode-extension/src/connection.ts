/**
 * The one place that knows whether Tessera is connected: reads the setting and the secret,
 * validates the token over REST (cached briefly), and publishes the result as a state that the
 * status bar, the MCP provider and the commands all read. The access token of a browser sign-in
 * is renewed here when it has expired, or when the server says so, before it is judged.
 */
import type { TesseraClient } from './api-client.js'
import type { Event } from './events.js'
import { Emitter } from './events.js'
import { type Log, silentLog } from './log.js'
import { normalizeServerUrl } from './server-url.js'
import type { Settings } from './settings.js'
import { type CheckFailure, checkToken, type Identity, type TokenCheck } from './token-check.js'
import type { RenewalOutcome } from './token-refresh.js'
import type { Credential, TokenStore } from './token-store.js'

export type ConnectionState =
  /** Before the first check has finished. */
  | { kind: 'starting' }
  /** `tessera.serverUrl` is empty. */
  | { kind: 'no_server' }
  | { kind: 'bad_server_url'; raw: string; problem: string }
  /** A server is set but no token is stored for it. */
  | { kind: 'signed_out'; serverUrl: string }
  /** The stored token was validated against another server URL: it is not sent to this one. */
  | { kind: 'other_server'; serverUrl: string; tokenServerUrl: string }
  | { kind: 'checking'; serverUrl: string; browser?: true }
  | { kind: 'connected'; serverUrl: string; identity: Identity; browser?: true }
  /**
   * The token itself is bad: malformed, unknown, expired, revoked, owner disabled, refused; or,
   * after a browser sign-in, the grant has ended (`sign_in_ended`).
   */
  | { kind: 'rejected'; serverUrl: string; failure: CheckFailure; browser?: true }
  /** The token could not be checked (network, certificate, redirect, rate limit, server error). */
  | { kind: 'unverified'; serverUrl: string; failure: CheckFailure; browser?: true }

export interface CheckOutcome {
  state: ConnectionState
  /** Present only when the state is `connected`: the token that was just validated. */
  token?: string
}

export interface Connection {
  readonly state: ConnectionState
  /** Fires on every state change (status bar, context keys). */
  readonly onDidChangeState: Event<ConnectionState>
  /** Fires when the setting or the stored secret changed (MCP definitions, Cursor). */
  readonly onDidChangeCredentials: Event<void>
  /** The server URL and token to use, from the setting and secret alone (no network, no prompts). */
  configured(): Promise<{ serverUrl: string; token: string; browser: boolean } | undefined>
  /** The current state from setting and secret, validating the token over REST when needed. */
  check(options?: { force?: boolean }): Promise<CheckOutcome>
  dispose(): void
}

export interface ConnectionDeps {
  store: TokenStore
  settings: Settings
  clientFor(serverUrl: string): TesseraClient
  /** How long a verdict on a (server, token) pair is reused. */
  cacheMs?: number
  now?: () => number
  log?: Log
  /** Renews a browser sign-in's access token (absent: such credentials are only checked). */
  renew?: (credential: Credential) => Promise<RenewalOutcome>
}

/** The code of the failure shown when a browser sign-in can no longer be renewed. */
export const SIGN_IN_ENDED = 'sign_in_ended'

/** An access token this close to its expiry is renewed before it is used. */
const EXPIRY_SKEW_MS = 30_000

type Base =
  | { kind: 'ready'; serverUrl: string; token: string; credential: Credential }
  | Exclude<
      ConnectionState,
      { kind: 'starting' | 'checking' | 'connected' | 'rejected' | 'unverified' }
    >

/** True when the state is about a token stored for the current server. */
export function hasCredential(state: ConnectionState): boolean {
  return (
    state.kind === 'checking' ||
    state.kind === 'connected' ||
    state.kind === 'rejected' ||
    state.kind === 'unverified'
  )
}

/** A token is "rejected" when the server (or the local format check) refused it. */
export function isTokenProblem(failure: CheckFailure): boolean {
  return (
    failure.kind === 'format' ||
    (failure.kind === 'rejected' && (failure.status === 401 || failure.status === 403))
  )
}

export function createConnection(deps: ConnectionDeps): Connection {
  const cacheMs = deps.cacheMs ?? 30_000
  const now = deps.now ?? Date.now
  const log = deps.log ?? silentLog
  const stateChanged = new Emitter<ConnectionState>()
  const credentialsChanged = new Emitter<void>()
  const cache = new Map<string, { at: number; result: TokenCheck }>()
  const inFlight = new Map<string, Promise<TokenCheck>>()
  let state: ConnectionState = { kind: 'starting' }
  let generation = 0

  function setState(next: ConnectionState): void {
    if (JSON.stringify(next) === JSON.stringify(state)) return
    state = next
    stateChanged.fire(next)
  }

  async function readBase(): Promise<Base> {
    const raw = deps.settings.serverUrl()
    if (raw.trim() === '') return { kind: 'no_server' }
    const url = normalizeServerUrl(raw)
    if (!url.ok) return { kind: 'bad_server_url', raw, problem: url.problem }
    const credential = await deps.store.get()
    if (!credential) return { kind: 'signed_out', serverUrl: url.url }
    if (credential.serverUrl !== url.url) {
      return { kind: 'other_server', serverUrl: url.url, tokenServerUrl: credential.serverUrl }
    }
    return { kind: 'ready', serverUrl: url.url, token: credential.token, credential }
  }

  function validate(serverUrl: string, token: string, force: boolean): Promise<TokenCheck> {
    const key = `${serverUrl}\n${token}`
    const cached = cache.get(key)
    if (!force && cached && now() - cached.at < cacheMs) return Promise.resolve(cached.result)
    const pending = inFlight.get(key)
    if (pending) return pending
    const started = checkToken(deps.clientFor(serverUrl), token)
      .then((result) => {
        // Network trouble is not a verdict on the token: do not remember it.
        if (result.ok || isTokenProblem(result.failure)) cache.set(key, { at: now(), result })
        return result
      })
      .finally(() => inFlight.delete(key))
    inFlight.set(key, started)
    return started
  }

  const onChange = () => {
    generation++
    cache.clear()
    credentialsChanged.fire()
    void check().catch((error) => log.error(`Connection check failed: ${String(error)}`))
  }
  const subscriptions = [deps.store.onDidChange(onChange), deps.settings.onDidChange(onChange)]

  async function check(options: { force?: boolean } = {}): Promise<CheckOutcome> {
    const startedAt = generation
    const base = await readBase()
    if (base.kind !== 'ready') {
      if (startedAt === generation) setState(base)
      return { state: base }
    }
    const browser = base.credential.oauth ? ({ browser: true } as const) : {}
    const isSameServer =
      (state.kind === 'connected' || state.kind === 'rejected' || state.kind === 'unverified') &&
      state.serverUrl === base.serverUrl
    if (!isSameServer && startedAt === generation)
      setState({ kind: 'checking', serverUrl: base.serverUrl, ...browser })

    const judged = await judge(base, options.force ?? false)
    if (judged.kind === 'changed') return check(options)
    const { result, token } = judged
    let next: ConnectionState
    if (result.ok)
      next = { kind: 'connected', serverUrl: base.serverUrl, identity: result.identity, ...browser }
    else if (isTokenProblem(result.failure))
      next = { kind: 'rejected', serverUrl: base.serverUrl, failure: result.failure, ...browser }
    else
      next = { kind: 'unverified', serverUrl: base.serverUrl, failure: result.failure, ...browser }

    // A newer setting or secret arrived meanwhile: its own check publishes the state. (A renewal
    // stores new tokens, which counts: the check it starts publishes the renewed state.)
    if (startedAt === generation) setState(next)
    if (next.kind !== 'connected')
      log.info(`Token check for ${base.serverUrl}: ${describeKind(next)}`)
    return next.kind === 'connected' ? { state: next, token } : { state: next }
  }

  /**
   * The verdict on the stored token. A browser sign-in's access token is renewed first when it
   * has expired, and once more when the server calls it expired anyway (clocks differ).
   */
  async function judge(
    base: Extract<Base, { kind: 'ready' }>,
    force: boolean,
  ): Promise<{ kind: 'judged'; result: TokenCheck; token: string } | { kind: 'changed' }> {
    const { credential } = base
    const renew = deps.renew
    if (!credential.oauth || !renew) {
      return {
        kind: 'judged',
        result: await validate(base.serverUrl, base.token, force),
        token: base.token,
      }
    }
    const renewOnce = async (): Promise<
      { kind: 'judged'; result: TokenCheck; token: string } | { kind: 'changed' } | undefined
    > => {
      const outcome = await renew(credential)
      switch (outcome.kind) {
        case 'renewed':
          return {
            kind: 'judged',
            result: await validate(base.serverUrl, outcome.credential.token, force),
            token: outcome.credential.token,
          }
        case 'ended':
          return {
            kind: 'judged',
            result: {
              ok: false,
              failure: {
                kind: 'rejected',
                status: 401,
                code: SIGN_IN_ENDED,
                message: outcome.description,
              },
            },
            token: base.token,
          }
        case 'changed':
          return { kind: 'changed' }
        case 'failed':
          return undefined
      }
    }
    if (credential.oauth.accessTokenExpiresAt <= now() + EXPIRY_SKEW_MS) {
      const renewed = await renewOnce()
      if (renewed) return renewed
    }
    const result = await validate(base.serverUrl, base.token, force)
    if (
      !result.ok &&
      result.failure.kind === 'rejected' &&
      result.failure.code === 'token_expired'
    ) {
      const renewed = await renewOnce()
      if (renewed) return renewed
    }
    return { kind: 'judged', result, token: base.token }
  }

  return {
    get state() {
      return state
    },
    onDidChangeState: stateChanged.event,
    onDidChangeCredentials: credentialsChanged.event,
    async configured() {
      const base = await readBase()
      return base.kind === 'ready'
        ? {
            serverUrl: base.serverUrl,
            token: base.token,
            browser: base.credential.oauth !== undefined,
          }
        : undefined
    },
    check,
    dispose() {
      for (const subscription of subscriptions) subscription.dispose()
      stateChanged.dispose()
      credentialsChanged.dispose()
    },
  }
}

function describeKind(state: ConnectionState): string {
  if (state.kind === 'rejected' || state.kind === 'unverified') {
    const failure = state.failure
    return `${state.kind} (${failure.kind === 'rejected' || failure.kind === 'format' ? failure.code : failure.kind})`
  }
  return state.kind
}
