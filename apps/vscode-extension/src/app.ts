/**
 * Composes the flows into the extension's commands. No VS Code import: `extension.ts` passes in
 * adapters, tests pass in fakes.
 */
import { copyMcpConfig, openConsole, rotateToken, showStatus, signOut } from './account.js'
import { Action } from './actions.js'
import { announce } from './announce.js'
import type { TesseraClient } from './api-client.js'
import { connect, replaceToken, setServerUrl, useSavedTokenWith } from './connect-flow.js'
import { type Connection, createConnection } from './connection.js'
import type { ActionHints, FlowContext, McpHostKind } from './context.js'
import { type FlagStore, welcome } from './first-run.js'
import type { Log } from './log.js'
import type { Settings } from './settings.js'
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
  const connection = createConnection({
    store: deps.store,
    settings: deps.settings,
    clientFor: deps.clientFor,
    now,
    log: deps.log,
    ...(deps.cacheMs === undefined ? {} : { cacheMs: deps.cacheMs }),
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
      connection.dispose()
    },
  }
}
