/** The `tessera.serverUrl` setting, behind a narrow interface. */
import type { Disposable, Event } from './events.js'
import { Emitter } from './events.js'

export interface Settings {
  /** The raw setting ('' when unset). Normalise before use. */
  serverUrl(): string
  /** Writes the user (global) setting. */
  setServerUrl(url: string): Promise<void>
  readonly onDidChange: Event<void>
}

/** The parts of `vscode.workspace` the adapter needs. */
export interface WorkspaceConfigLike {
  getConfiguration(section: string): {
    get<T>(key: string): T | undefined
    update(key: string, value: unknown, global: boolean): PromiseLike<void>
  }
  onDidChangeConfiguration(
    listener: (event: { affectsConfiguration(section: string): boolean }) => unknown,
  ): Disposable
}

export function createSettings(workspace: WorkspaceConfigLike): Settings & Disposable {
  const changed = new Emitter<void>()
  const subscription = workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration('tessera.serverUrl')) changed.fire()
  })
  return {
    serverUrl: () => workspace.getConfiguration('tessera').get<string>('serverUrl') ?? '',
    async setServerUrl(url) {
      // `true` = ConfigurationTarget.Global: the setting is application-scoped anyway.
      await workspace.getConfiguration('tessera').update('serverUrl', url, true)
    },
    onDidChange: changed.event,
    dispose() {
      subscription.dispose()
      changed.dispose()
    },
  }
}
