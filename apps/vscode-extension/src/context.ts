/** Everything the flows share. Built once in `app.ts`; tests build it with fakes. */
import type { Action } from './actions.js'
import type { TesseraClient } from './api-client.js'
import type { BrowserSignInDeps } from './browser-sign-in.js'
import type { Connection } from './connection.js'
import type { Log } from './log.js'
import type { OAuthClient } from './oauth-client.js'
import type { Settings } from './settings.js'
import type { TokenStore } from './token-store.js'
import type { Ui } from './ui.js'

/** How this editor takes MCP servers: VS Code's provider API, Cursor's API, or neither. */
export type McpHostKind = 'vscode' | 'cursor' | 'none'

export interface ActionHints {
  /** The server the message was about. */
  serverUrl?: string
  /** A better server URL (after a redirect). */
  suggestedServerUrl?: string
}

export interface FlowContext {
  ui: Ui
  store: TokenStore
  settings: Settings
  connection: Connection
  clientFor(serverUrl: string): TesseraClient
  now(): number
  log: Log
  mcpHost: McpHostKind
  /** Runs what a button stands for ('Try Again' is handled where it is offered). */
  runAction(action: Action, hints?: ActionHints): Promise<void>
  /** Tessera's OAuth endpoints: revoking a browser sign-in. */
  oauth: OAuthClient
  /** Present where the editor can take the browser's redirect back (`asExternalUri`). */
  browserSignIn?: BrowserSignInDeps
}
