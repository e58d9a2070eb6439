/** A scripted `Ui`: queue what the user types and clicks, then read what they were shown. */
import type { InputOptions, Level, PickItem, Ui } from '../../src/ui.js'

export interface Shown {
  level: Level
  message: string
  actions: readonly string[]
  modal: boolean
}

export class FakeUi implements Ui {
  readonly inputsAsked: InputOptions[] = []
  /** Messages shown by input boxes' validation for values the user then had to correct. */
  readonly validationMessages: string[] = []
  readonly shown: Shown[] = []
  readonly opened: string[] = []
  readonly progressTitles: string[] = []
  readonly commands: { command: string; args: unknown[] }[] = []
  clipboard = ''
  /** The browser: called with each URL the extension opens (a test's stand-in for the user). */
  onOpen: ((url: string) => unknown) | undefined
  private cancelled: RegExp[] = []
  private typed: (string | undefined)[] = []
  private answers: { match: RegExp; choice: string | undefined }[] = []
  private picks: (string | undefined)[] = []

  /** Values the user will type, in order; `undefined` = Escape. Nothing left = Escape. */
  type(...values: (string | undefined)[]): this {
    this.typed.push(...values)
    return this
  }

  /** The next message matching `match` gets `choice` (once). Unmatched messages are dismissed. */
  answer(match: RegExp, choice: string | undefined): this {
    this.answers.push({ match, choice })
    return this
  }

  /** The next cancellable progress whose title matches is cancelled by the user (once). */
  cancelProgress(match: RegExp): this {
    this.cancelled.push(match)
    return this
  }

  choose(...ids: (string | undefined)[]): this {
    this.picks.push(...ids)
    return this
  }

  messages(level?: Level): string[] {
    return this.shown.filter((s) => level === undefined || s.level === level).map((s) => s.message)
  }

  async input(options: InputOptions): Promise<string | undefined> {
    this.inputsAsked.push(options)
    for (;;) {
      if (this.typed.length === 0) return undefined
      const value = this.typed.shift()
      if (value === undefined) return undefined
      const problem = options.validate?.(value)
      // VS Code keeps the box open while validation fails: the user types the next value.
      if (problem) {
        this.validationMessages.push(problem)
        continue
      }
      return value
    }
  }

  async show(
    level: Level,
    message: string,
    actions: readonly string[] = [],
    options: { modal?: boolean } = {},
  ): Promise<string | undefined> {
    this.shown.push({ level, message, actions, modal: options.modal ?? false })
    const index = this.answers.findIndex((answer) => answer.match.test(message))
    if (index === -1) return undefined
    const [answer] = this.answers.splice(index, 1)
    if (answer?.choice !== undefined && !actions.includes(answer.choice)) {
      throw new Error(
        `"${answer.choice}" is not offered for: ${message} (offered: ${actions.join(', ')})`,
      )
    }
    return answer?.choice
  }

  async pick<T extends string>(
    _title: string,
    items: readonly PickItem<T>[],
  ): Promise<T | undefined> {
    const id = this.picks.shift()
    return items.find((item) => item.id === id)?.id
  }

  async progress<T>(
    title: string,
    task: (signal: AbortSignal) => Promise<T>,
    options: { cancellable?: boolean } = {},
  ): Promise<T> {
    this.progressTitles.push(title)
    const controller = new AbortController()
    const index = options.cancellable ? this.cancelled.findIndex((m) => m.test(title)) : -1
    if (index !== -1) {
      this.cancelled.splice(index, 1)
      // The user presses Cancel once the task is under way.
      setTimeout(() => controller.abort(), 0)
    }
    return task(controller.signal)
  }

  async openExternal(url: string): Promise<void> {
    this.opened.push(url)
    await this.onOpen?.(url)
  }

  async copyToClipboard(text: string): Promise<void> {
    this.clipboard = text
  }

  async executeCommand(command: string, ...args: unknown[]): Promise<unknown> {
    this.commands.push({ command, args })
    return undefined
  }
}
