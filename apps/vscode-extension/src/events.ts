/** The shape of `vscode.Disposable`, so plain modules can hand out subscriptions. */
export interface Disposable {
  dispose(): void
}

/** The shape of `vscode.Event<T>`: VS Code accepts any function of this type. */
export type Event<T> = (listener: (value: T) => unknown) => Disposable

/** A minimal event emitter that works without VS Code (tests, plain modules). */
export class Emitter<T> {
  private listeners = new Set<(value: T) => unknown>()

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener)
    return { dispose: () => this.listeners.delete(listener) }
  }

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value)
      } catch {
        // One faulty listener must not stop the others (VS Code's emitter behaves the same).
      }
    }
  }

  dispose(): void {
    this.listeners.clear()
  }
}
