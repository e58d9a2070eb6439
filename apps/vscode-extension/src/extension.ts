/**
 * Entry point. Wires VS Code's APIs to the plain modules and registers what they provide;
 * every decision lives in those modules.
 */
import { join } from 'node:path'
import * as vscode from 'vscode'
import { createTesseraClient } from './api-client.js'
import { COMMANDS, createApp } from './app.js'
import { CALLBACK_AUTHORITY } from './browser-sign-in.js'
import { hasCredential } from './connection.js'
import { createCursorBridge, detectMcpHost, type EditorApis } from './cursor.js'
import { createExpiryWatcher } from './expiry.js'
import { redactingLog } from './log.js'
import { createMcpProvider, MCP_PROVIDER_ID } from './mcp-provider.js'
import { createOAuthClient } from './oauth-client.js'
import { createFileCoordinator } from './renewal-lock.js'
import { createSettings } from './settings.js'
import { renderStatusBar } from './status-bar.js'
import { createSecretTokenStore } from './token-store.js'
import { CALLBACK_PATH } from './uri-handler.js'
import { createVscodeUi } from './vscode-ui.js'

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Tessera', { log: true })
  context.subscriptions.push(output)
  const log = redactingLog(output)
  const version = String(context.extension.packageJSON.version ?? '0.0.0')
  const userAgent = `tessera-vscode/${version} (${vscode.env.appName} ${vscode.version})`

  const ui = createVscodeUi()
  const host = detectMcpHost(vscode as unknown as EditorApis)
  const store = createSecretTokenStore(context.secrets, log)
  const settings = createSettings(vscode.workspace)
  const app = createApp({
    ui,
    store,
    settings,
    clientFor: (serverUrl) => createTesseraClient({ serverUrl, userAgent }),
    log,
    mcpHost: host.kind,
    flags: context.globalState,
    recheckEveryMs: 15 * 60_000,
    oauth: createOAuthClient({ userAgent }),
    // Every window of this editor shares the global storage folder: renewals take turns there.
    coordinator: createFileCoordinator(join(context.globalStorageUri.fsPath, 'oauth')),
    browserSignIn: {
      // vscode://tessera.tessera-vscode/oauth/callback?windowId=N on the desktop (the editor's
      // own scheme in Cursor, VSCodium...); an http(s) URL on the code-server host in a browser.
      callbackUri: async () =>
        (
          await vscode.env.asExternalUri(
            vscode.Uri.parse(`${vscode.env.uriScheme}://${CALLBACK_AUTHORITY}${CALLBACK_PATH}`),
          )
        ).toString(true),
      clientName: `${vscode.env.appName} (Tessera extension)`,
      softwareVersion: version,
      webEditor: vscode.env.uiKind === vscode.UIKind.Web,
    },
  })
  context.subscriptions.push(store, settings, app)
  log.info(`Tessera ${version} activated in ${vscode.env.appName}; MCP host: ${host.kind}.`)

  for (const id of COMMANDS) {
    context.subscriptions.push(vscode.commands.registerCommand(id, app.commands[id]))
  }

  if (host.kind === 'vscode') {
    const provider = createMcpProvider({
      connection: app.connection,
      ui,
      log,
      now: Date.now,
      runAction: app.runAction,
      createDefinition: (label, url, definitionVersion) =>
        new vscode.McpHttpServerDefinition(label, vscode.Uri.parse(url), {}, definitionVersion),
    })
    context.subscriptions.push(
      provider,
      vscode.lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, provider),
    )
  } else if (host.kind === 'cursor') {
    const bridge = createCursorBridge({
      api: host.api,
      connection: app.connection,
      ui,
      log,
      now: Date.now,
      runAction: app.runAction,
    })
    context.subscriptions.push(bridge)
    void bridge.sync()
  }

  const statusBar = vscode.window.createStatusBarItem(
    'tessera.status',
    vscode.StatusBarAlignment.Right,
    100,
  )
  statusBar.name = 'Tessera'
  context.subscriptions.push(statusBar)
  const render = () => {
    const state = app.connection.state
    const view = renderStatusBar(state, Date.now())
    statusBar.text = view.text
    statusBar.tooltip = view.tooltip
    statusBar.command = view.command
    statusBar.backgroundColor =
      view.severity === 'normal'
        ? undefined
        : new vscode.ThemeColor(
            view.severity === 'error'
              ? 'statusBarItem.errorBackground'
              : 'statusBarItem.warningBackground',
          )
    statusBar.show()
    void vscode.commands.executeCommand(
      'setContext',
      'tessera.connected',
      state.kind === 'connected',
    )
    void vscode.commands.executeCommand('setContext', 'tessera.hasToken', hasCredential(state))
  }
  render()
  context.subscriptions.push(app.connection.onDidChangeState(render))

  context.subscriptions.push(
    createExpiryWatcher({
      connection: app.connection,
      ui,
      now: Date.now,
      rotate: app.commands['tessera.rotateToken'],
    }),
    vscode.window.registerUriHandler({
      handleUri: (uri) => app.handleUri(uri.path, uri.query),
    }),
  )

  void app.start().catch((error) => log.error(`Start-up check failed: ${String(error)}`))
}

export function deactivate(): void {}
