/**
 * "Sign in with browser": OAuth 2.1 authorization code with PKCE S256 (RFC 6749, RFC 7636),
 * `state`, `iss` (RFC 9207) and `resource` = the MCP endpoint (RFC 8707), as a public client.
 *
 * The client registers itself (RFC 7591) with the exact redirect URI this editor gives it:
 * `vscode.env.asExternalUri(<uriScheme>://tessera.tessera-vscode/oauth/callback)`, which is
 * `vscode://…?windowId=N` on the desktop (another scheme in Cursor or VSCodium) and an http(s)
 * URL on the code-server host in the browser. Tessera then matches that URI exactly. The
 * registration is remembered per server and redirect URI once a sign-in through it succeeded.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { TesseraClient } from './api-client.js'
import type { FlagStore } from './first-run.js'
import type { Log } from './log.js'
import type { OAuthClient, OAuthFailure } from './oauth-client.js'
import { mcpEndpoint } from './server-url.js'
import { type CheckFailure, checkToken, type Identity } from './token-check.js'
import { asCheckFailure } from './token-refresh.js'
import type { Credential } from './token-store.js'
import type { Ui } from './ui.js'
import type { AuthorizationResponse } from './uri-handler.js'

/** The extension's own URI, before the editor turns it into something a browser can open. */
export const CALLBACK_AUTHORITY = 'tessera.tessera-vscode'

/** The user has this long in the browser; Tessera keeps an authorization request 15 minutes. */
export const SIGN_IN_TIMEOUT_MS = 15 * 60_000

export interface BrowserSignInDeps {
  oauth: OAuthClient
  /** The redirect URI: the editor's external form of `<scheme>://tessera.tessera-vscode/oauth/callback`. */
  callbackUri(): Promise<string>
  /** How the registration is named on the consent page ("Visual Studio Code (Tessera extension)"). */
  clientName: string
  softwareVersion: string
  registrations: RegistrationCache
  callbacks: CallbackRouter
  random?: (bytes: number) => Uint8Array
  timeoutMs?: number
  /** VS Code runs in a browser (code-server): links to localhost go through its port proxy. */
  webEditor?: boolean
}

export type SignInResult =
  | { kind: 'connected'; credential: Credential; identity: Identity }
  | { kind: 'cancelled' }
  | { kind: 'denied' }
  /** The server offers no browser sign-in (OAuth turned off, or an older Tessera). */
  | { kind: 'unavailable'; message: string }
  | { kind: 'failed'; message: string; failure?: CheckFailure }

export interface SignInContext {
  ui: Ui
  log: Log
  now(): number
  clientFor(serverUrl: string): TesseraClient
}

// ---- waiting for the browser ----------------------------------------------------------------

type Waited =
  | { kind: 'response'; response: AuthorizationResponse }
  | { kind: 'cancelled' }
  | { kind: 'timeout' }

/**
 * Hands each authorization response to the sign-in waiting for its `state`. A response whose
 * state no sign-in in this window is waiting for is refused (`deliver` answers false): it was not
 * started here, or it was forged to log this editor into someone else's account.
 */
export class CallbackRouter {
  private readonly waiting = new Map<string, (response: AuthorizationResponse) => void>()

  expect(state: string): { wait(signal: AbortSignal, timeoutMs: number): Promise<Waited> } {
    return {
      wait: (signal, timeoutMs) =>
        new Promise<Waited>((resolve) => {
          const finish = (result: Waited) => {
            clearTimeout(timer)
            signal.removeEventListener('abort', onAbort)
            this.waiting.delete(state)
            resolve(result)
          }
          const onAbort = () => finish({ kind: 'cancelled' })
          const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs)
          if (signal.aborted) return finish({ kind: 'cancelled' })
          signal.addEventListener('abort', onAbort)
          this.waiting.set(state, (response) => finish({ kind: 'response', response }))
        }),
    }
  }

  /** True when a sign-in took the response. */
  deliver(response: AuthorizationResponse): boolean {
    const state = response.state
    if (state === undefined) return false
    const take = this.waiting.get(state)
    if (!take) return false
    take(response)
    return true
  }

  get pending(): number {
    return this.waiting.size
  }
}

// ---- remembered registrations -----------------------------------------------------------------

interface Registration {
  serverUrl: string
  redirectUri: string
  clientId: string
}

export const REGISTRATIONS_KEY = 'tessera.oauthClients'
const KEEP_REGISTRATIONS = 10

/**
 * Client ids this editor registered, per server and redirect URI. Not secrets (a public client's
 * id is in every authorization URL), so they live in global state, not secret storage.
 */
export class RegistrationCache {
  constructor(private readonly flags: FlagStore) {}

  find(serverUrl: string, redirectUri: string): string | undefined {
    return this.all().find((r) => r.serverUrl === serverUrl && r.redirectUri === redirectUri)
      ?.clientId
  }

  async remember(registration: Registration): Promise<void> {
    const others = this.all().filter(
      (r) =>
        !(r.serverUrl === registration.serverUrl && r.redirectUri === registration.redirectUri),
    )
    await this.flags.update(
      REGISTRATIONS_KEY,
      [registration, ...others].slice(0, KEEP_REGISTRATIONS),
    )
  }

  async forget(serverUrl: string, clientId: string): Promise<void> {
    await this.flags.update(
      REGISTRATIONS_KEY,
      this.all().filter((r) => !(r.serverUrl === serverUrl && r.clientId === clientId)),
    )
  }

  private all(): Registration[] {
    const value = this.flags.get<unknown>(REGISTRATIONS_KEY)
    if (!Array.isArray(value)) return []
    return value.filter(
      (r): r is Registration =>
        typeof r === 'object' &&
        r !== null &&
        typeof r.serverUrl === 'string' &&
        typeof r.redirectUri === 'string' &&
        typeof r.clientId === 'string',
    )
  }
}

// ---- the flow ---------------------------------------------------------------------------------

/** A PKCE pair (RFC 7636 §4.1, §4.2): 32 random bytes as the verifier, its SHA-256 as challenge. */
export function createPkce(random: (bytes: number) => Uint8Array) {
  const verifier = Buffer.from(random(32)).toString('base64url')
  const challenge = createHash('sha256').update(verifier).digest('base64url')
  return { verifier, challenge }
}

const defaultRandom = (bytes: number): Uint8Array => randomBytes(bytes)

/** Runs the whole sign-in against `serverUrl`; stores nothing (the caller saves the credential). */
export async function signInWithBrowser(
  ctx: SignInContext,
  deps: BrowserSignInDeps,
  serverUrl: string,
): Promise<SignInResult> {
  const random = deps.random ?? defaultRandom
  if (deps.webEditor && /^(localhost|127\.0\.0\.1|0\.0\.0\.0)$/.test(new URL(serverUrl).hostname)) {
    // code-server rewrites such links into its /proxy/<port>/ and drops their path and query, so
    // the authorization request would never reach Tessera.
    return {
      kind: 'unavailable',
      message: `This editor runs in a browser, which cannot open sign-in links to ${new URL(serverUrl).host}. Enter the server under the machine's name (or another loopback address such as 127.0.0.2) to sign in with the browser, or paste an API token.`,
    }
  }
  const discovered = await ctx.ui.progress(`Preparing to sign in to ${serverUrl}…`, () =>
    deps.oauth.discover(serverUrl),
  )
  if (!discovered.ok) return failed('Could not start the sign-in.', discovered.failure)
  const metadata = discovered.value
  if (!metadata) {
    return {
      kind: 'unavailable',
      message: `${serverUrl} does not offer signing in with the browser (an administrator turned it off, or the server is older). Paste an API token instead.`,
    }
  }
  if (metadata.issuer.replace(/\/+$/, '') !== serverUrl) {
    return {
      kind: 'failed',
      message: `This server calls itself ${metadata.issuer}, not ${serverUrl}: sign in with that address as the server URL (its TESSERA_PUBLIC_URL).`,
    }
  }

  const redirectUri = await deps.callbackUri()
  let clientId = deps.registrations.find(serverUrl, redirectUri)
  const registeredNow = clientId === undefined
  if (clientId === undefined) {
    const registered = await ctx.ui.progress(`Preparing to sign in to ${serverUrl}…`, () =>
      deps.oauth.register(metadata.registrationEndpoint, {
        clientName: deps.clientName,
        redirectUri,
        softwareVersion: deps.softwareVersion,
      }),
    )
    if (!registered.ok) return registrationFailed(serverUrl, redirectUri, registered.failure)
    clientId = registered.value
  }

  const { verifier, challenge } = createPkce(random)
  const state = Buffer.from(random(16)).toString('base64url')
  const resource = mcpEndpoint(serverUrl)
  const authorization = new URL(metadata.authorizationEndpoint)
  for (const [name, value] of Object.entries({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    scope: 'read write',
    resource,
  })) {
    authorization.searchParams.set(name, value)
  }

  const pending = deps.callbacks.expect(state)
  const waited = await ctx.ui.progress(
    'Sign in to Tessera in your browser and approve the connection there…',
    (signal) => {
      const wait = pending.wait(signal, deps.timeoutMs ?? SIGN_IN_TIMEOUT_MS)
      ctx.log.info(`Opening the browser to sign in to ${serverUrl}.`)
      void ctx.ui.openExternal(authorization.toString())
      return wait
    },
    { cancellable: true },
  )
  if (waited.kind === 'cancelled') return { kind: 'cancelled' }
  if (waited.kind === 'timeout') {
    return {
      kind: 'failed',
      message: 'The sign-in was not completed in the browser within 15 minutes.',
    }
  }

  const response = waited.response
  // RFC 9207: the response must come from the server this sign-in went to (mix-up defence).
  if (
    (response.iss !== undefined && response.iss !== metadata.issuer) ||
    (response.iss === undefined && metadata.issParameterSupported)
  ) {
    ctx.log.warn('Ignored an authorization response from another issuer.')
    return {
      kind: 'failed',
      message: 'The browser came back from another server than the one this sign-in went to.',
    }
  }
  if (response.error !== undefined) {
    if (response.error === 'access_denied') return { kind: 'denied' }
    return {
      kind: 'failed',
      message: `Tessera refused the sign-in: ${response.errorDescription ?? response.error}`,
    }
  }
  if (!response.code) {
    return { kind: 'failed', message: 'The browser came back without an authorization code.' }
  }

  const code = response.code
  const exchanged = await ctx.ui.progress('Finishing the sign-in…', () =>
    deps.oauth.exchangeCode(metadata.tokenEndpoint, {
      clientId,
      code,
      redirectUri,
      codeVerifier: verifier,
      resource,
    }),
  )
  if (!exchanged.ok) {
    if (exchanged.failure.kind === 'oauth' && exchanged.failure.error === 'invalid_client') {
      await deps.registrations.forget(serverUrl, clientId)
    }
    return failed('The sign-in could not be finished.', exchanged.failure)
  }
  const tokens = exchanged.value
  const checked = await checkToken(ctx.clientFor(serverUrl), tokens.accessToken)
  if (!checked.ok) {
    return {
      kind: 'failed',
      message: 'Tessera issued an access token that it then refused.',
      failure: checked.failure,
    }
  }
  if (registeredNow) await deps.registrations.remember({ serverUrl, redirectUri, clientId })
  return {
    kind: 'connected',
    identity: checked.identity,
    credential: {
      serverUrl,
      token: tokens.accessToken,
      oauth: {
        clientId,
        refreshToken: tokens.refreshToken,
        accessTokenExpiresAt: ctx.now() + tokens.expiresInSeconds * 1000,
        tokenEndpoint: metadata.tokenEndpoint,
        ...(metadata.revocationEndpoint ? { revocationEndpoint: metadata.revocationEndpoint } : {}),
      },
    },
  }
}

function failed(lead: string, failure: OAuthFailure): SignInResult {
  if (failure.kind === 'oauth') {
    return {
      kind: 'failed',
      message: `${lead} Tessera answered ${failure.error}${failure.description ? `: ${failure.description}` : '.'}`,
    }
  }
  return { kind: 'failed', message: lead, failure: asCheckFailure(failure) }
}

function registrationFailed(
  serverUrl: string,
  redirectUri: string,
  failure: OAuthFailure,
): SignInResult {
  if (failure.kind === 'oauth' && failure.error === 'oauth_disabled') {
    return {
      kind: 'unavailable',
      message: `Signing in with the browser is turned off on ${serverUrl}. Paste an API token instead.`,
    }
  }
  if (failure.kind === 'oauth' && failure.error === 'invalid_redirect_uri') {
    const where = new URL(redirectUri)
    return {
      kind: 'unavailable',
      message: `Tessera does not accept this editor's sign-in address (${where.protocol}//${where.host}): ${failure.description ?? 'it is not a safe redirect URI'}. An editor served over plain http from another machine cannot sign in with the browser; paste an API token instead.`,
    }
  }
  return failed('Could not register this editor with Tessera.', failure)
}
