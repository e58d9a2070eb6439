/**
 * Composes the flows into the extension's commands. No VS Code import: `extension.ts` passes in
 * adapters, tests pass in fakes.
 */
import { copyMcpConfig, openConsole, rotateToken, showStatus, signOut } from './account.js'
import { Action } from './actions.js'
import { announce } from './announce.js'
import type { TesseraClient } from './api-client.js'
import { type BrowserSignInDeps, CallbackRouter, RegistrationCache } from './browser-sign-in.js'
import {
  connect,
  replaceToken,
  setServerUrl,
  signInAgain,
  useSavedTokenWith,
} from './connect-flow.js'
import { type Connection, createConnection } from './connection.js'
import type { ActionHints, FlowContext, McpHostKind } from './context.js'
import { type FlagStore, welcome } from './first-run.js'
import type { Log } from './log.js'
import { createOAuthClient, type OAuthClient } from './oauth-client.js'
import type { Settings } from './settings.js'
import {
  createLocalCoordinator,
  createRefreshScheduler,
  createRenewer,
  type RefreshSchedulerDeps,
  type RenewalCoordinator,
} from './token-refresh.js'
import type { TokenStore } from './token-store.js'
import type { Ui } from './ui.js'
import { parseUri } from './uri-handler.js'

export const EXTENSION_ID = 'tessera.tessera-vscode'
export const WALKTHROUGH_ID = `${EXTENSION_ID}#gettingStarted`

export const COMMANDS = [
  'tessera.connect',
  'tessera.replaceToken',
  'tessera.signOut',
  'tessera.showStatus',
  'tessera.openConsole',
  'tessera.setServerUrl',
  'tessera.openTokenPage',
  'tessera.rotateToken',
  'tessera.copyMcpConfig',
] as const
export type CommandId = (typeof COMMANDS)[number]

export interface AppDeps {
  ui: Ui
  store: TokenStore
  settings: Settings
  clientFor(serverUrl: string): TesseraClient
  log: Log
  mcpHost: McpHostKind
  flags: FlagStore
  now?: () => number
  /** Verdict cache for the token check, in ms. */
  cacheMs?: number
  /** Re-check the token this often (revocations, the expiry warning); off when undefined. */
  recheckEveryMs?: number
  /** Tessera's OAuth endpoints (registration, token, revocation); the real client by default. */
  oauth?: OAuthClient
  /** Keeps windows from renewing the same browser sign-in at once; this process only by default. */
  coordinator?: RenewalCoordinator
  /** "Sign in with browser"; without it, Connect asks for a token only. */
  browserSignIn?: {
    /** The editor's external form of `<uriScheme>://tessera.tessera-vscode/oauth/callback`. */
    callbackUri(): Promise<string>
    clientName: string
    softwareVersion: string
    random?: (bytes: number) => Uint8Array
    timeoutMs?: number
    webEditor?: boolean
  }
  /** Timing of renewals (tests shorten or drive it). */
  refresh?: Partial<
    Pick<
      RefreshSchedulerDeps,
      'marginMs' | 'jitterMs' | 'random' | 'retryMs' | 'setTimer' | 'clearTimer'
    >
  >
}

export interface App {
  readonly connection: Connection
  readonly context: FlowContext
  readonly commands: Record<CommandId, () => Promise<unknown>>
  handleUri(path: string, query: string): Promise<void>
  /** First start: check the connection, and greet a user who has not connected yet. */
  start(): Promise<void>
  runAction(action: Action, hints?: ActionHints): Promise<void>
  dispose(): void
}

export function createApp(deps: AppDeps): App {
  const now = deps.now ?? Date.now
  const oauth = deps.oauth ?? createOAuthClient()
  const renewer = createRenewer({
    store: deps.store,
    oauth,
    coordinator: deps.coordinator ?? createLocalCoordinator(),
    now,
    log: deps.log,
  })
  const connection = createConnection({
    store: deps.store,
    settings: deps.settings,
    clientFor: deps.clientFor,
    now,
    log: deps.log,
    renew: (credential) => renewer.renew(credential),
    ...(deps.cacheMs === undefined ? {} : { cacheMs: deps.cacheMs }),
  })
  const callbacks = new CallbackRouter()
  const browserSignIn: BrowserSignInDeps | undefined = deps.browserSignIn && {
    oauth,
    callbackUri: deps.browserSignIn.callbackUri,
    clientName: deps.browserSignIn.clientName,
    softwareVersion: deps.browserSignIn.softwareVersion,
    registrations: new RegistrationCache(deps.flags),
    callbacks,
    ...(deps.browserSignIn.random ? { random: deps.browserSignIn.random } : {}),
    ...(deps.browserSignIn.timeoutMs === undefined
      ? {}
      : { timeoutMs: deps.browserSignIn.timeoutMs }),
    ...(deps.browserSignIn.webEditor ? { webEditor: true } : {}),
  }
  const scheduler = createRefreshScheduler({
    store: deps.store,
    renewer,
    now,
    log: deps.log,
    ...deps.refresh,
    onEnded(credential, description) {
      void connection.check({ force: true }).catch(() => undefined)
      announce(
        context,
        'warning',
        `Your Tessera sign-in has ended (${description}). Sign in again to give chat its tools back.`,
        [Action.SignIn],
        { serverUrl: credential.serverUrl },
      )
    },
  })

  const context: FlowContext = {
    ui: deps.ui,
    store: deps.store,
    settings: deps.settings,
    connection,
    clientFor: deps.clientFor,
    now,
    log: deps.log,
    mcpHost: deps.mcpHost,
    runAction,
    oauth,
    ...(browserSignIn ? { browserSignIn } : {}),
  }

  async function runAction(action: Action, hints: ActionHints = {}): Promise<void> {
    switch (action) {
      case Action.Connect:
        await connect(context)
        return
      case Action.ReplaceToken:
        await replaceToken(context)
        return
      case Action.ChangeServerUrl:
        await connect(
          context,
          hints.suggestedServerUrl ? { serverUrl: hints.suggestedServerUrl } : {},
        )
        return
      case Action.UseToken:
        if (hints.serverUrl) await useSavedTokenWith(context, hints.serverUrl)
        return
      case Action.OpenTokenPage:
        await openConsole(context, 'tokens', hints.serverUrl)
        return
      case Action.RotateNow:
        await rotateToken(context)
        return
      case Action.SignOut:
        await signOut(context)
        return
      case Action.SignIn:
        await signInAgain(context, hints.serverUrl)
        return
      case Action.CopyMcpConfig:
        await copyMcpConfig(context)
        return
      case Action.OpenWalkthrough:
        await deps.ui.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false)
        return
      default:
        // Try Again, Later, Not Now...: handled by the caller or nothing to do.
        return
    }
  }

  const commands: Record<CommandId, () => Promise<unknown>> = {
    'tessera.connect': () => connect(context),
    'tessera.replaceToken': () => replaceToken(context),
    'tessera.signOut': () => signOut(context),
    'tessera.showStatus': () => showStatus(context),
    'tessera.openConsole': () => openConsole(context),
    'tessera.setServerUrl': () => setServerUrl(context),
    'tessera.openTokenPage': () => openConsole(context, 'tokens'),
    'tessera.rotateToken': () => rotateToken(context),
    'tessera.copyMcpConfig': () => copyMcpConfig(context),
  }

  async function handleUri(path: string, query: string): Promise<void> {
    const intent = parseUri(path, query)
    if (intent.kind === 'oauth_callback') {
      if (callbacks.deliver(intent.response)) return
      // Never log the response itself: it may carry an authorization code.
      deps.log.warn('Ignored a sign-in response that no sign-in in this window was waiting for.')
      announce(
        context,
        'warning',
        'Tessera ignored a sign-in response from the browser: no sign-in in this window was waiting for it (it was started elsewhere, cancelled, or is not genuine).',
      )
      return
    }
    if (intent.kind === 'unknown') {
      deps.log.warn(`Ignored a link to an unknown path: ${intent.path}`)
      announce(
        context,
        'warning',
        `Tessera does not know what to do with the link path "${intent.path}".`,
      )
      return
    }
    if (intent.droppedToken) {
      deps.log.warn('A link carried a token; it was ignored.')
      announce(
        context,
        'warning',
        'The link contained a token, which was ignored: Tessera never takes tokens from links. Paste your token when asked, and consider revoking the one in the link.',
      )
    }
    if (intent.problem) {
      announce(context, 'warning', `The link's server address cannot be used: ${intent.problem}`)
    }
    await connect(context, {
      ...(intent.serverUrl ? { serverUrl: intent.serverUrl } : {}),
      fromLink: intent.serverUrl !== undefined,
    })
  }

  let recheck: ReturnType<typeof setInterval> | undefined

  async function start(): Promise<void> {
    if (deps.recheckEveryMs !== undefined && recheck === undefined) {
      recheck = setInterval(() => {
        void connection
          .check()
          .catch((error) => deps.log.error(`Token re-check failed: ${String(error)}`))
      }, deps.recheckEveryMs)
    }
    await scheduler.plan()
    const { state } = await connection.check()
    const choice = await welcome({ state, flags: deps.flags, ui: deps.ui })
    if (choice) await runAction(choice)
  }

  return {
    connection,
    context,
    commands,
    handleUri,
    start,
    runAction,
    dispose() {
      if (recheck !== undefined) clearInterval(recheck)
      scheduler.dispose()
      connection.dispose()
    },
  }
}
