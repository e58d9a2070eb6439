/**
 * Cursor has no MCP provider API; it offers `vscode.cursor.mcp.registerServer`, which takes the
 * headers up front. The server is registered only with a token the REST API just accepted, and
 * unregistered when the token goes away or stops working.
 */
import type { Action } from './actions.js'
import { announce } from './announce.js'
import type { Connection } from './connection.js'
import type { ActionHints } from './context.js'
import type { Disposable } from './events.js'
import type { Log } from './log.js'
import { MCP_PROVIDER_ID } from './mcp-provider.js'
import { describeState } from './messages.js'
import { mcpEndpoint } from './server-url.js'
import type { Ui } from './ui.js'

/** Cursor's extension API for MCP servers (not in @types/vscode; declared from Cursor's docs). */
export interface CursorMcpApi {
  registerServer(config: {
    name: string
    server: { url: string; headers?: Record<string, string> }
  }): unknown
  unregisterServer(name: string): unknown
}

/** The slice of the `vscode` module used to tell editors apart. */
export interface EditorApis {
  lm?: { registerMcpServerDefinitionProvider?: unknown }
  cursor?: { mcp?: Partial<CursorMcpApi> }
}

export type McpHost = { kind: 'vscode' } | { kind: 'cursor'; api: CursorMcpApi } | { kind: 'none' }

/** Cursor first: it may carry a stub `lm` API that never starts anything. */
export function detectMcpHost(apis: EditorApis): McpHost {
  const mcp = apis.cursor?.mcp
  if (typeof mcp?.registerServer === 'function' && typeof mcp.unregisterServer === 'function') {
    return { kind: 'cursor', api: mcp as CursorMcpApi }
  }
  if (typeof apis.lm?.registerMcpServerDefinitionProvider === 'function') return { kind: 'vscode' }
  return { kind: 'none' }
}

export interface CursorBridgeDeps {
  api: CursorMcpApi
  connection: Connection
  ui: Ui
  log: Log
  now(): number
  runAction(action: Action, hints?: ActionHints): Promise<void>
}

export interface CursorBridge extends Disposable {
  /** Registers or unregisters the server to match the current token. */
  sync(): Promise<void>
}

export function createCursorBridge(deps: CursorBridgeDeps): CursorBridge {
  let registeredKey: string | undefined
  let lastExplained: string | undefined

  async function sync(): Promise<void> {
    const outcome = await deps.connection.check()
    const { state } = outcome
    if (state.kind === 'connected' && outcome.token !== undefined) {
      const key = `${state.serverUrl}\n${outcome.token}`
      if (key === registeredKey) return
      if (registeredKey !== undefined) deps.api.unregisterServer(MCP_PROVIDER_ID)
      deps.api.registerServer({
        name: MCP_PROVIDER_ID,
        server: {
          url: mcpEndpoint(state.serverUrl),
          headers: { Authorization: `Bearer ${outcome.token}` },
        },
      })
      registeredKey = key
      lastExplained = undefined
      deps.log.info(`Registered Tessera's MCP server with Cursor (${state.serverUrl}).`)
      return
    }
    if (registeredKey !== undefined) {
      deps.api.unregisterServer(MCP_PROVIDER_ID)
      registeredKey = undefined
      deps.log.info("Unregistered Tessera's MCP server from Cursor.")
    }
    if (state.kind === 'rejected' || state.kind === 'unverified') {
      const explanation = describeState(state, deps.now())
      if (explanation.message === lastExplained) return
      lastExplained = explanation.message
      announce(deps, explanation.level, explanation.message, explanation.actions, {
        serverUrl: state.serverUrl,
      })
    }
  }

  const subscription = deps.connection.onDidChangeCredentials(() => {
    void sync().catch((error) => deps.log.error(`Cursor registration failed: ${String(error)}`))
  })

  return {
    sync,
    dispose() {
      subscription.dispose()
      if (registeredKey !== undefined) deps.api.unregisterServer(MCP_PROVIDER_ID)
      registeredKey = undefined
    },
  }
}
