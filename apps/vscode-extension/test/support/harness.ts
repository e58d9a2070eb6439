/**
 * The app wired to in-memory stand-ins for VS Code's secret storage, settings and memento,
 * the real HTTP client, and a scripted UI. Each test builds its own.
 */
import { createServer } from 'node:net'
import { createTesseraClient } from '../../src/api-client.js'
import { type App, type AppDeps, createApp } from '../../src/app.js'
import type { McpHostKind } from '../../src/context.js'
import { Emitter } from '../../src/events.js'
import type { FlagStore } from '../../src/first-run.js'
import type { Log } from '../../src/log.js'
import { createSettings, type WorkspaceConfigLike } from '../../src/settings.js'
import { createSecretTokenStore, type SecretsLike } from '../../src/token-store.js'
import { FakeUi } from './fake-ui.js'

export class MemorySecrets implements SecretsLike {
  readonly values = new Map<string, string>()
  private readonly changed = new Emitter<{ key: string }>()
  /** Makes `get` throw, as VS Code does on Linux without a keyring. */
  broken = false
  /** Makes `store` throw. */
  readOnly = false

  async get(key: string) {
    if (this.broken) throw new Error('Cannot get password: no keyring')
    return this.values.get(key)
  }
  async store(key: string, value: string) {
    if (this.readOnly) throw new Error('Cannot set password: no keyring')
    this.values.set(key, value)
    this.changed.fire({ key })
  }
  async delete(key: string) {
    this.values.delete(key)
    this.changed.fire({ key })
  }
  onDidChange(listener: (event: { key: string }) => unknown) {
    return this.changed.event(listener)
  }
}

export class MemoryWorkspace implements WorkspaceConfigLike {
  readonly values = new Map<string, unknown>()
  private readonly changed = new Emitter<{ affectsConfiguration(section: string): boolean }>()

  getConfiguration(section: string) {
    return {
      get: <T>(key: string) => this.values.get(`${section}.${key}`) as T | undefined,
      update: async (key: string, value: unknown) => this.set(`${section}.${key}`, value),
    }
  }
  /** Also what a user editing settings.json does. */
  set(fullKey: string, value: unknown): void {
    this.values.set(fullKey, value)
    this.changed.fire({
      affectsConfiguration: (section) => fullKey === section || fullKey.startsWith(`${section}.`),
    })
  }
  onDidChangeConfiguration(
    listener: (event: { affectsConfiguration(section: string): boolean }) => unknown,
  ) {
    return this.changed.event(listener)
  }
}

export class MemoryFlags implements FlagStore {
  readonly values = new Map<string, unknown>()
  get<T>(key: string) {
    return this.values.get(key) as T | undefined
  }
  async update(key: string, value: unknown) {
    this.values.set(key, value)
  }
}

export class MemoryLog implements Log {
  readonly lines: string[] = []
  info(message: string) {
    this.lines.push(`info ${message}`)
  }
  warn(message: string) {
    this.lines.push(`warn ${message}`)
  }
  error(message: string) {
    this.lines.push(`error ${message}`)
  }
}

export interface Harness {
  app: App
  ui: FakeUi
  secrets: MemorySecrets
  workspace: MemoryWorkspace
  flags: MemoryFlags
  log: MemoryLog
  /** Everything the extension persisted outside secret storage, as one string (to search for tokens). */
  persistedOutsideSecrets(): string
}

/** The redirect URI a desktop VS Code window gives the extension (`asExternalUri` adds the id). */
export const DESKTOP_CALLBACK = 'vscode://tessera.tessera-vscode/oauth/callback?windowId=1'

export function createHarness(
  options: {
    mcpHost?: McpHostKind
    now?: () => number
    cacheMs?: number
    serverUrl?: string
    /** Offer "Sign in with browser", with this redirect URI. */
    browserCallback?: string
    /** The editor runs in a browser (code-server). */
    webEditor?: boolean
    refresh?: AppDeps['refresh']
    coordinator?: AppDeps['coordinator']
    secrets?: MemorySecrets
  } = {},
): Harness {
  const ui = new FakeUi()
  const secrets = options.secrets ?? new MemorySecrets()
  const workspace = new MemoryWorkspace()
  const flags = new MemoryFlags()
  const log = new MemoryLog()
  if (options.serverUrl !== undefined) workspace.set('tessera.serverUrl', options.serverUrl)
  const app = createApp({
    ui,
    store: createSecretTokenStore(secrets, log),
    settings: createSettings(workspace),
    clientFor: (serverUrl) => createTesseraClient({ serverUrl, timeoutMs: 3000 }),
    log,
    mcpHost: options.mcpHost ?? 'vscode',
    flags,
    ...(options.now ? { now: options.now } : {}),
    ...(options.cacheMs === undefined ? {} : { cacheMs: options.cacheMs }),
    ...(options.browserCallback === undefined
      ? {}
      : {
          browserSignIn: {
            callbackUri: async () => options.browserCallback as string,
            clientName: 'Visual Studio Code (Tessera extension)',
            softwareVersion: '0.1.0',
            ...(options.webEditor ? { webEditor: true } : {}),
          },
        }),
    ...(options.refresh ? { refresh: options.refresh } : {}),
    ...(options.coordinator ? { coordinator: options.coordinator } : {}),
  })
  return {
    app,
    ui,
    secrets,
    workspace,
    flags,
    log,
    persistedOutsideSecrets: () =>
      JSON.stringify({
        settings: [...workspace.values],
        flags: [...flags.values],
        log: log.lines,
        shown: ui.shown,
        opened: ui.opened,
        clipboard: ui.clipboard,
        commands: ui.commands,
      }),
  }
}

/** A TCP port on which nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}
