/**
 * The MCP server definition provider for VS Code. `provide` never prompts and never carries
 * the token; `resolve` re-reads the secret, checks it over REST and only then adds the
 * Authorization header. A bad token is explained here, with a "Replace Token" button, instead of
 * letting VS Code hit a 401 and start its OAuth dialog.
 */
import { tokenDisplayPrefix } from '@tessera/core'
import type { Action } from './actions.js'
import { announce } from './announce.js'
import type { Connection, ConnectionState } from './connection.js'
import type { ActionHints } from './context.js'
import type { Disposable, Event } from './events.js'
import { Emitter } from './events.js'
import type { Log } from './log.js'
import { describeState } from './messages.js'
import { mcpEndpoint } from './server-url.js'
import type { Ui } from './ui.js'

export const MCP_PROVIDER_ID = 'tessera'
export const MCP_SERVER_LABEL = 'Tessera'

/** The parts of `vscode.McpHttpServerDefinition` the provider touches. */
export interface HttpDefinitionLike {
  readonly label: string
  uri: { toString(): string }
  headers: Record<string, string>
}

export interface McpProviderDeps<D extends HttpDefinitionLike> {
  connection: Connection
  ui: Ui
  log: Log
  now(): number
  /** `new vscode.McpHttpServerDefinition(label, vscode.Uri.parse(url), {}, version)` */
  createDefinition(label: string, url: string, version: string | undefined): D
  runAction(action: Action, hints?: ActionHints): Promise<void>
}

export interface McpProvider<D> extends Disposable {
  readonly onDidChangeMcpServerDefinitions: Event<void>
  provideMcpServerDefinitions(): Promise<D[]>
  resolveMcpServerDefinition(definition: D): Promise<D | undefined>
}

export function createMcpProvider<D extends HttpDefinitionLike>(
  deps: McpProviderDeps<D>,
): McpProvider<D> {
  const changed = new Emitter<void>()
  const subscription = deps.connection.onDidChangeCredentials(() => changed.fire())

  function explain(state: ConnectionState): void {
    const explanation = describeState(state, deps.now())
    const level = explanation.level === 'info' ? 'warning' : explanation.level
    // Not awaited: VS Code waits for resolve, and a notification can stay open for minutes.
    announce(
      deps,
      level,
      `Tessera's MCP server was not started. ${explanation.message}`,
      explanation.actions,
      'serverUrl' in state ? { serverUrl: state.serverUrl } : {},
    )
  }

  return {
    onDidChangeMcpServerDefinitions: changed.event,

    async provideMcpServerDefinitions() {
      const configured = await deps.connection.configured()
      if (!configured) return []
      const url = mcpEndpoint(configured.serverUrl)
      return [deps.createDefinition(MCP_SERVER_LABEL, url, definitionVersion(configured.token))]
    },

    async resolveMcpServerDefinition(definition) {
      const outcome = await deps.connection.check()
      if (outcome.token === undefined || outcome.state.kind !== 'connected') {
        explain(outcome.state)
        return undefined
      }
      // The setting changed between provide and resolve: never send the token to the old URL.
      if (!sameUrl(definition.uri.toString(), mcpEndpoint(outcome.state.serverUrl))) {
        changed.fire()
        return undefined
      }
      definition.headers = { ...definition.headers, Authorization: `Bearer ${outcome.token}` }
      return definition
    },

    dispose() {
      subscription.dispose()
      changed.dispose()
    },
  }
}

/**
 * The definition's version changes with the token (its non-secret display prefix), so after a
 * rotation or replacement VS Code sees a new definition and restarts the server with it.
 */
export function definitionVersion(token: string): string | undefined {
  try {
    return tokenDisplayPrefix(token)
  } catch {
    return undefined
  }
}

function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href
  } catch {
    return a === b
  }
}
