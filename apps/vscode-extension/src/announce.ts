import type { Action } from './actions.js'
import type { ActionHints, FlowContext } from './context.js'
import type { Level } from './ui.js'

/**
 * Shows a message without waiting for it to close (a notification can stay open for minutes,
 * and nothing should hang on it), then runs the button the user picks, if any.
 */
export function announce(
  ctx: Pick<FlowContext, 'ui' | 'runAction' | 'log'>,
  level: Level,
  message: string,
  actions: readonly Action[] = [],
  hints: ActionHints = {},
): void {
  void ctx.ui
    .show(level, message, actions)
    .then((choice) => (choice ? ctx.runAction(choice as Action, hints) : undefined))
    .catch((error: unknown) => ctx.log.error(`"${message}" failed: ${String(error)}`))
}
