/** The user interface the flows need, narrow enough to fake in tests. */
export interface InputOptions {
  title: string
  prompt: string
  value?: string
  placeHolder?: string
  /** Hide what is typed (tokens). */
  password?: boolean
  /** Returns a message while the value is not acceptable. */
  validate?: (value: string) => string | undefined
}

export type Level = 'info' | 'warning' | 'error'

export interface PickItem<T extends string> {
  id: T
  label: string
  description?: string
}

export interface Ui {
  /** An input box that stays open when focus moves away (people switch to the browser to copy). */
  input(options: InputOptions): Promise<string | undefined>
  /** A notification; resolves to the chosen button, or undefined when dismissed. */
  show(
    level: Level,
    message: string,
    actions?: readonly string[],
    options?: { modal?: boolean },
  ): Promise<string | undefined>
  pick<T extends string>(title: string, items: readonly PickItem<T>[]): Promise<T | undefined>
  /**
   * Shows `title` while `task` runs. A cancellable one gets a Cancel button, which aborts the
   * signal handed to the task.
   */
  progress<T>(
    title: string,
    task: (signal: AbortSignal) => Promise<T>,
    options?: { cancellable?: boolean },
  ): Promise<T>
  openExternal(url: string): Promise<void>
  copyToClipboard(text: string): Promise<void>
  executeCommand(command: string, ...args: unknown[]): Promise<unknown>
}
