/**
 * The one `vscode` test double (vitest aliases `vscode` to this file). It implements the slice
 * of the API that `src/extension.ts` and `src/vscode-ui.ts` touch, records what they did, and
 * lets a test script the user's answers through `testing`.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Emitter } from '../src/events.js'

type Listener<T> = (value: T) => unknown

export const version = '1.101.0'

export class Disposable {
  constructor(private readonly callback: () => void = () => {}) {}
  dispose(): void {
    this.callback()
  }
}

export class Uri {
  private constructor(private readonly url: URL) {}
  static parse(value: string): Uri {
    return new Uri(new URL(value))
  }
  get scheme() {
    return this.url.protocol.replace(/:$/, '')
  }
  get authority() {
    return this.url.host
  }
  get path() {
    return this.url.pathname
  }
  get query() {
    return this.url.search.replace(/^\?/, '')
  }
  get fsPath() {
    return decodeURIComponent(this.url.pathname)
  }
  toString(_skipEncoding?: boolean): string {
    return this.url.href
  }
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}

export enum ProgressLocation {
  SourceControl = 1,
  Window = 10,
  Notification = 15,
}

export class McpHttpServerDefinition {
  constructor(
    readonly label: string,
    public uri: Uri,
    public headers: Record<string, string> = {},
    public version?: string,
  ) {}
}

export interface StatusBarItemDouble {
  id: string
  name: string | undefined
  text: string
  tooltip: string | undefined
  command: string | undefined
  backgroundColor: ThemeColor | undefined
  visible: boolean
  show(): void
  hide(): void
  dispose(): void
}

interface InputBoxOptions {
  title?: string
  prompt?: string
  value?: string
  password?: boolean
  ignoreFocusOut?: boolean
  validateInput?: (value: string) => string | undefined | null
}

/** What tests read and script. Reset before each test with `testing.reset()`. */
export const testing = {
  inputs: [] as (string | undefined)[],
  inputBoxes: [] as InputBoxOptions[],
  answers: [] as { match: RegExp; choice: string | undefined }[],
  messages: [] as { level: 'info' | 'warning' | 'error'; message: string; items: string[] }[],
  picks: [] as (string | undefined)[],
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  executed: [] as { command: string; args: unknown[] }[],
  context: new Map<string, unknown>(),
  statusBarItems: [] as StatusBarItemDouble[],
  outputLines: [] as string[],
  opened: [] as string[],
  clipboard: '',
  uriHandlers: [] as UriHandlerLike[],
  /** The browser: called with each URL `env.openExternal` opens (exactly as it was passed). */
  onOpenExternal: undefined as ((url: string) => unknown) | undefined,
  mcpProviders: new Map<string, McpProviderLike>(),
  configuration: new Map<string, unknown>(),
  configurationChanged: new Emitter<{ affectsConfiguration(section: string): boolean }>(),
  /** The extension's global storage folder (renewal lock); a fresh temporary one per test. */
  storageDir: '',
  reset(): void {
    this.storageDir = mkdtempSync(join(tmpdir(), 'tessera-vscode-storage-'))
    this.inputs = []
    this.inputBoxes = []
    this.answers = []
    this.messages = []
    this.picks = []
    this.commands.clear()
    this.executed = []
    this.context.clear()
    this.statusBarItems = []
    this.outputLines = []
    this.opened = []
    this.clipboard = ''
    this.uriHandlers = []
    this.onOpenExternal = undefined
    this.mcpProviders.clear()
    this.configuration.clear()
    cursor = undefined
    lm.registerMcpServerDefinitionProvider = registerMcpProvider
  },
  /** Removes VS Code's MCP API (an editor without it) or installs Cursor's. */
  setEditor(kind: 'vscode' | 'cursor' | 'none', cursorApi?: unknown): void {
    ;(lm as { registerMcpServerDefinitionProvider?: unknown }).registerMcpServerDefinitionProvider =
      kind === 'vscode' ? registerMcpProvider : undefined
    cursor = kind === 'cursor' ? { mcp: cursorApi } : undefined
  },
  /** An ExtensionContext with in-memory secrets and memento. */
  createContext() {
    const secrets = new Map<string, string>()
    const secretChanged = new Emitter<{ key: string }>()
    const state = new Map<string, unknown>()
    return {
      subscriptions: [] as { dispose(): unknown }[],
      secretValues: secrets,
      secrets: {
        get: async (key: string) => secrets.get(key),
        store: async (key: string, value: string) => {
          secrets.set(key, value)
          secretChanged.fire({ key })
        },
        delete: async (key: string) => {
          secrets.delete(key)
          secretChanged.fire({ key })
        },
        onDidChange: (listener: Listener<{ key: string }>) => secretChanged.event(listener),
      },
      globalState: {
        get: <T>(key: string) => state.get(key) as T | undefined,
        update: async (key: string, value: unknown) => {
          state.set(key, value)
        },
        keys: () => [...state.keys()],
      },
      globalStateValues: state,
      globalStorageUri: Uri.parse(`file://${testing.storageDir}`),
      extension: { id: 'tessera.tessera-vscode', packageJSON: { version: '0.1.0' } },
    }
  },
}

interface UriHandlerLike {
  handleUri(uri: { path: string; query: string }): unknown
}

interface McpProviderLike {
  onDidChangeMcpServerDefinitions?: (listener: () => unknown) => { dispose(): unknown }
  provideMcpServerDefinitions(token?: unknown): unknown
  resolveMcpServerDefinition?(server: unknown, token?: unknown): unknown
}

function answer(level: 'info' | 'warning' | 'error', message: string, ...rest: unknown[]) {
  const items = rest.filter((item): item is string => typeof item === 'string')
  testing.messages.push({ level, message, items })
  const index = testing.answers.findIndex((a) => a.match.test(message))
  if (index === -1) return Promise.resolve(undefined)
  const [chosen] = testing.answers.splice(index, 1)
  return Promise.resolve(chosen?.choice)
}

export const window = {
  createOutputChannel(name: string, _options?: { log: true }) {
    const write = (level: string) => (message: string) =>
      testing.outputLines.push(`[${name}] ${level} ${message}`)
    return { name, info: write('info'), warn: write('warn'), error: write('error'), dispose() {} }
  },
  createStatusBarItem(
    id: string,
    _alignment?: StatusBarAlignment,
    _priority?: number,
  ): StatusBarItemDouble {
    const item: StatusBarItemDouble = {
      id,
      name: undefined,
      text: '',
      tooltip: undefined,
      command: undefined,
      backgroundColor: undefined,
      visible: false,
      show() {
        item.visible = true
      },
      hide() {
        item.visible = false
      },
      dispose() {
        item.visible = false
      },
    }
    testing.statusBarItems.push(item)
    return item
  },
  async showInputBox(options: InputBoxOptions): Promise<string | undefined> {
    testing.inputBoxes.push(options)
    for (;;) {
      if (testing.inputs.length === 0) return undefined
      const value = testing.inputs.shift()
      if (value === undefined) return undefined
      if (!options.validateInput?.(value)) return value
    }
  },
  showInformationMessage: (message: string, ...rest: unknown[]) => answer('info', message, ...rest),
  showWarningMessage: (message: string, ...rest: unknown[]) => answer('warning', message, ...rest),
  showErrorMessage: (message: string, ...rest: unknown[]) => answer('error', message, ...rest),
  async showQuickPick<T extends { id?: string }>(items: T[]): Promise<T | undefined> {
    const id = testing.picks.shift()
    return items.find((item) => item.id === id)
  },
  async withProgress<T>(
    _options: unknown,
    task: (progress: unknown, token: unknown) => Promise<T>,
  ): Promise<T> {
    return task(
      { report() {} },
      { isCancellationRequested: false, onCancellationRequested: () => new Disposable() },
    )
  },
  registerUriHandler(handler: UriHandlerLike) {
    testing.uriHandlers.push(handler)
    return new Disposable()
  },
}

export const commands = {
  registerCommand(id: string, callback: (...args: unknown[]) => unknown) {
    if (testing.commands.has(id)) throw new Error(`command '${id}' already exists`)
    testing.commands.set(id, callback)
    return new Disposable(() => testing.commands.delete(id))
  },
  async executeCommand(command: string, ...args: unknown[]): Promise<unknown> {
    testing.executed.push({ command, args })
    if (command === 'setContext') {
      testing.context.set(String(args[0]), args[1])
      return undefined
    }
    const callback = testing.commands.get(command)
    return callback ? callback(...args) : undefined
  },
}

export const workspace = {
  getConfiguration(section: string) {
    return {
      get: <T>(key: string) => testing.configuration.get(`${section}.${key}`) as T | undefined,
      update: async (key: string, value: unknown) => {
        const fullKey = `${section}.${key}`
        testing.configuration.set(fullKey, value)
        testing.configurationChanged.fire({
          affectsConfiguration: (s: string) => fullKey === s || fullKey.startsWith(`${s}.`),
        })
      },
    }
  },
  onDidChangeConfiguration(listener: Listener<{ affectsConfiguration(section: string): boolean }>) {
    return testing.configurationChanged.event(listener)
  },
}

export enum UIKind {
  Desktop = 1,
  Web = 2,
}

export const env = {
  appName: 'Visual Studio Code (double)',
  uiKind: UIKind.Desktop,
  uriScheme: 'vscode',
  /** As the desktop does for its own scheme: the window's id is added to the query. */
  async asExternalUri(uri: Uri) {
    return uri.scheme === 'vscode' ? Uri.parse(`${uri.toString()}?windowId=1`) : uri
  },
  async openExternal(uri: Uri | string) {
    // VS Code takes a string as it is (extensions pass one to keep a URL's encoding intact).
    const url = typeof uri === 'string' ? uri : uri.toString()
    testing.opened.push(url)
    void testing.onOpenExternal?.(url)
    return true
  },
  clipboard: {
    async writeText(text: string) {
      testing.clipboard = text
    },
  },
}

function registerMcpProvider(id: string, provider: McpProviderLike) {
  testing.mcpProviders.set(id, provider)
  return new Disposable(() => testing.mcpProviders.delete(id))
}

export const lm: { registerMcpServerDefinitionProvider?: typeof registerMcpProvider } = {
  registerMcpServerDefinitionProvider: registerMcpProvider,
}

/** Exists only in Cursor: `testing.setEditor('cursor', api)` sets it (a live ESM binding). */
export let cursor: { mcp?: unknown } | undefined
