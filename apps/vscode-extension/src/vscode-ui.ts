/** The `Ui` interface over VS Code's window API. Thin on purpose: no decisions here. */
import * as vscode from 'vscode'
import type { Ui } from './ui.js'

export function createVscodeUi(): Ui {
  return {
    async input(options) {
      return vscode.window.showInputBox({
        title: options.title,
        prompt: options.prompt,
        ...(options.value === undefined ? {} : { value: options.value }),
        ...(options.placeHolder === undefined ? {} : { placeHolder: options.placeHolder }),
        password: options.password ?? false,
        ignoreFocusOut: true,
        ...(options.validate ? { validateInput: options.validate } : {}),
      })
    },
    async show(level, message, actions = [], options = {}) {
      const show =
        level === 'error'
          ? vscode.window.showErrorMessage
          : level === 'warning'
            ? vscode.window.showWarningMessage
            : vscode.window.showInformationMessage
      return show(message, { modal: options.modal ?? false }, ...actions)
    },
    async pick(title, items) {
      const chosen = await vscode.window.showQuickPick(
        items.map((item) => ({ label: item.label, description: item.description, id: item.id })),
        { title, ignoreFocusOut: true },
      )
      return chosen?.id
    },
    async progress(title, task, options = {}) {
      return vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title,
          cancellable: options.cancellable ?? false,
        },
        (_progress, cancellation) => {
          const controller = new AbortController()
          cancellation.onCancellationRequested(() => controller.abort())
          return task(controller.signal)
        },
      )
    },
    async openExternal(url) {
      // The string itself, not a parsed Uri: VS Code sends a string as it is, while a Uri is
      // decoded and encoded again, which would break a URL carrying another URL (redirect_uri).
      await vscode.env.openExternal(url as unknown as vscode.Uri)
    },
    async copyToClipboard(text) {
      await vscode.env.clipboard.writeText(text)
    },
    async executeCommand(command, ...args) {
      return vscode.commands.executeCommand(command, ...args)
    },
  }
}
