/**
 * Keeps a browser sign-in working: renews the access token with the refresh token before it
 * expires (and when the server says it has), and says when the grant has ended.
 *
 * Tessera rotates refresh tokens and treats a spent one presented again as theft: the whole grant
 * ends. Every VS Code window runs this extension over the same secret storage, so two windows
 * renewing at once would disconnect the user. Renewals therefore run one at a time across windows
 * (`RenewalCoordinator`), re-read the stored credential first (another window may have renewed
 * already), and never present a refresh token some window has already spent.
 */
import { createHash } from 'node:crypto'
import type { Disposable } from './events.js'
import { type Log, silentLog } from './log.js'
import type { OAuthClient, OAuthFailure } from './oauth-client.js'
import { mcpEndpoint } from './server-url.js'
import type { CheckFailure } from './token-check.js'
import type { Credential, TokenStore } from './token-store.js'

export type RenewalOutcome =
  | { kind: 'renewed'; credential: Credential }
  /** The grant is over (revoked, disconnected, expired, client blocked): sign in again. */
  | { kind: 'ended'; description: string }
  /** Could not renew now (network, server error); the grant may still be fine. */
  | { kind: 'failed'; failure: CheckFailure }
  /** The stored credential is no longer this grant (signed out, replaced). */
  | { kind: 'changed' }

/** Mutual exclusion and a shared memory of spent refresh tokens, across this machine's windows. */
export interface RenewalCoordinator {
  exclusive<T>(task: () => Promise<T>): Promise<T>
  /** Whether some window has presented this refresh token (by its SHA-256) to the server. */
  wasSpent(refreshTokenHash: string): Promise<boolean>
  markSpent(refreshTokenHash: string): Promise<void>
}

/** Within one process only: for tests, and for editors where no shared directory is available. */
export function createLocalCoordinator(): RenewalCoordinator {
  let chain: Promise<unknown> = Promise.resolve()
  const spent = new Set<string>()
  return {
    exclusive(task) {
      const run = chain.then(task, task)
      chain = run.catch(() => undefined)
      return run
    },
    wasSpent: async (hash) => spent.has(hash),
    markSpent: async (hash) => {
      spent.add(hash)
    },
  }
}

export interface RenewerDeps {
  store: TokenStore
  oauth: OAuthClient
  coordinator: RenewalCoordinator
  now?: () => number
  log?: Log
  /** How long to wait for another window's renewal to reach this window's secret storage. */
  propagationWaitMs?: number
  sleep?: (ms: number) => Promise<void>
}

export interface Renewer {
  renew(credential: Credential): Promise<RenewalOutcome>
}

/** OAuth errors after which the grant cannot be renewed: the user has to sign in again. */
const GRANT_OVER = new Set([
  'invalid_grant',
  'invalid_client',
  'unauthorized_client',
  'oauth_disabled',
])

export const hashRefreshToken = (token: string) => createHash('sha256').update(token).digest('hex')

export function createRenewer(deps: RenewerDeps): Renewer {
  const now = deps.now ?? Date.now
  const log = deps.log ?? silentLog
  const waitMs = deps.propagationWaitMs ?? 5_000
  const sleep = deps.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)))
  let inFlight: { refreshToken: string; outcome: Promise<RenewalOutcome> } | undefined

  const sameGrant = (a: Credential | undefined, b: Credential) =>
    a?.oauth !== undefined &&
    b.oauth !== undefined &&
    a.serverUrl === b.serverUrl &&
    a.oauth.clientId === b.oauth.clientId

  async function renewLocked(seen: Credential): Promise<RenewalOutcome> {
    let current = await deps.store.get()
    if (!current?.oauth || !sameGrant(current, seen)) return { kind: 'changed' }
    if (current.oauth.refreshToken !== seen.oauth?.refreshToken) {
      return { kind: 'renewed', credential: current }
    }
    const spentHash = hashRefreshToken(current.oauth.refreshToken)
    if (await deps.coordinator.wasSpent(spentHash)) {
      // Another window renewed; its new tokens are on their way to this window's storage.
      const deadline = now() + waitMs
      while (now() < deadline) {
        await sleep(200)
        current = await deps.store.get()
        if (!current?.oauth || !sameGrant(current, seen)) return { kind: 'changed' }
        if (current.oauth.refreshToken !== seen.oauth?.refreshToken) {
          return { kind: 'renewed', credential: current }
        }
      }
      return {
        kind: 'failed',
        failure: {
          kind: 'timeout',
          url: current.oauth.tokenEndpoint,
          seconds: Math.round(waitMs / 1000),
        },
      }
    }

    const grant = current.oauth
    const result = await deps.oauth.refresh(grant.tokenEndpoint, {
      clientId: grant.clientId,
      refreshToken: grant.refreshToken,
      resource: mcpEndpoint(current.serverUrl),
    })
    if (!result.ok) {
      if (result.failure.kind === 'oauth' && GRANT_OVER.has(result.failure.error)) {
        await deps.coordinator.markSpent(spentHash)
        log.warn(`Browser sign-in to ${current.serverUrl} ended: ${result.failure.error}.`)
        return {
          kind: 'ended',
          description: result.failure.description ?? result.failure.error,
        }
      }
      log.warn(`Could not renew the access to ${current.serverUrl}: ${describe(result.failure)}.`)
      return { kind: 'failed', failure: asCheckFailure(result.failure) }
    }
    await deps.coordinator.markSpent(spentHash)
    const renewed: Credential = {
      serverUrl: current.serverUrl,
      token: result.value.accessToken,
      oauth: {
        ...grant,
        refreshToken: result.value.refreshToken,
        accessTokenExpiresAt: now() + result.value.expiresInSeconds * 1000,
      },
    }
    try {
      await deps.store.set(renewed)
    } catch (error) {
      // The old refresh token is spent: without the new one this grant cannot go on.
      log.error(`Renewed the access, but could not store it: ${String(error)}`)
      return { kind: 'ended', description: "VS Code's secret storage refused the renewed tokens." }
    }
    log.info(`Renewed the access to ${current.serverUrl}.`)
    return { kind: 'renewed', credential: renewed }
  }

  return {
    renew(credential) {
      if (!credential.oauth) return Promise.resolve({ kind: 'changed' })
      const refreshToken = credential.oauth.refreshToken
      if (inFlight?.refreshToken === refreshToken) return inFlight.outcome
      const outcome = deps.coordinator
        .exclusive(() => renewLocked(credential))
        .finally(() => {
          if (inFlight?.outcome === outcome) inFlight = undefined
        })
      inFlight = { refreshToken, outcome }
      return outcome
    },
  }
}

/** An OAuth failure in the shape the connection state and messages know. */
export function asCheckFailure(failure: OAuthFailure): CheckFailure {
  if (failure.kind !== 'oauth') return failure
  return {
    kind: 'rejected',
    status: failure.status,
    code: failure.error,
    ...(failure.description ? { message: failure.description } : {}),
  }
}

function describe(failure: OAuthFailure): string {
  switch (failure.kind) {
    case 'oauth':
      return `${failure.error} (HTTP ${failure.status})`
    case 'rejected':
      return `${failure.code} (HTTP ${failure.status})`
    default:
      return failure.kind
  }
}

export interface RefreshSchedulerDeps {
  store: TokenStore
  renewer: Renewer
  now(): number
  /** Renew this long before the access token expires. */
  marginMs?: number
  /** Up to this much earlier, chosen once per window, so windows do not all wake at once. */
  jitterMs?: number
  random?: () => number
  /** After a failed attempt, try again this much later. */
  retryMs?: number
  setTimer?: (callback: () => void, ms: number) => unknown
  clearTimer?: (timer: unknown) => void
  /** The grant is over: tell the user. */
  onEnded(credential: Credential, description: string): void
  log?: Log
}

/** Renews the stored browser sign-in before its access token expires, whenever it changes. */
export function createRefreshScheduler(deps: RefreshSchedulerDeps): Disposable & {
  /** Reads the stored credential and (re)plans; resolves once planned (tests await it). */
  plan(): Promise<void>
} {
  const marginMs = deps.marginMs ?? 5 * 60_000
  const jitter = (deps.random ?? Math.random)() * (deps.jitterMs ?? 2 * 60_000)
  const retryMs = deps.retryMs ?? 60_000
  const setTimer =
    deps.setTimer ??
    ((callback: () => void, ms: number) => {
      const timer = setTimeout(callback, ms)
      // A pending renewal never keeps a process alive on its own.
      timer.unref?.()
      return timer
    })
  const clearTimer =
    deps.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>))
  const log = deps.log ?? silentLog
  let timer: unknown
  let disposed = false

  function schedule(ms: number, task: () => void): void {
    if (timer !== undefined) clearTimer(timer)
    // Timers longer than ~24.8 days overflow in Node; an hour-long token never needs that.
    timer = setTimer(task, Math.max(0, Math.min(ms, 2 ** 31 - 1)))
  }

  async function plan(): Promise<void> {
    if (disposed) return
    const credential = await deps.store.get()
    if (timer !== undefined) {
      clearTimer(timer)
      timer = undefined
    }
    if (!credential?.oauth) return
    const due = credential.oauth.accessTokenExpiresAt - marginMs - jitter
    schedule(due - deps.now(), () => void attempt(credential))
  }

  async function attempt(credential: Credential): Promise<void> {
    timer = undefined
    if (disposed) return
    const outcome = await deps.renewer.renew(credential)
    if (disposed) return
    switch (outcome.kind) {
      case 'renewed':
        // The store's change event plans the next renewal; plan anyway if no event comes.
        await plan()
        return
      case 'ended':
        deps.onEnded(credential, outcome.description)
        return
      case 'failed':
        log.info(`Will try renewing again in ${Math.round(retryMs / 1000)} s.`)
        schedule(retryMs, () => void attempt(credential))
        return
      case 'changed':
        await plan()
        return
    }
  }

  const subscription = deps.store.onDidChange(() => {
    void plan().catch((error) => log.error(`Planning the renewal failed: ${String(error)}`))
  })

  return {
    plan,
    dispose() {
      disposed = true
      subscription.dispose()
      if (timer !== undefined) clearTimer(timer)
      timer = undefined
    },
  }
}
