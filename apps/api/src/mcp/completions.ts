import type { CompleteRequest, CompleteResult } from '@modelcontextprotocol/sdk/types.js'
import type { ServiceContext } from '../services/context.js'
import { completeProjectKeys } from '../services/projects/complete.js'
import { completeTaskRefs } from '../services/tasks/complete.js'
import { completeAssignees } from '../services/users/complete.js'
import { invalidParams } from './errors.js'
import { promptNamed } from './prompts.js'
import { PROJECT_TEMPLATE, TASK_TEMPLATE } from './resources.js'

/*
 * completion/complete: values for prompt arguments and resource template variables as the user
 * types them, from what the token can see, one indexed query per request.
 */

/** The protocol's cap on values per answer. */
const MAX_VALUES = 100
/** Longer text completes nothing a key, a reference or a title could start with. */
const MAX_TEXT = 200

type Completer = (
  ctx: ServiceContext,
  text: string,
) => Promise<{ values: string[]; hasMore: boolean }>

const projectKeys: Completer = async (ctx, text) => {
  const { keys, hasMore } = await completeProjectKeys({ ctx, input: { text, limit: MAX_VALUES } })
  return { values: keys, hasMore }
}

const taskRefs: Completer = async (ctx, text) => {
  const { refs, hasMore } = await completeTaskRefs({ ctx, input: { text, limit: MAX_VALUES } })
  return { values: refs, hasMore }
}

const assignees: Completer = (ctx, text) =>
  completeAssignees({ ctx, input: { text, limit: MAX_VALUES } })

const days: Completer = async (_ctx, text) => ({
  values: ['1', '3', '7', '14'].filter((value) => value.startsWith(text.trim())),
  hasMore: false,
})

const PROMPT_ARGUMENTS: Record<string, Record<string, Completer>> = {
  standup: { project: projectKeys, days },
  triage: { project: projectKeys, assignee: assignees },
  work_on_task: { task: taskRefs },
}

const TEMPLATE_VARIABLES: Record<string, Record<string, Completer>> = {
  [PROJECT_TEMPLATE]: { key: projectKeys },
  [TASK_TEMPLATE]: { ref: taskRefs },
}

function completerFor({ ref, argument }: CompleteRequest['params']): Completer {
  if (ref.type === 'ref/prompt') {
    const prompt = promptNamed(ref.name)
    const completer = PROMPT_ARGUMENTS[prompt.name]?.[argument.name]
    if (!completer) {
      throw invalidParams(
        `The prompt ${prompt.name} has no argument "${argument.name.slice(0, 60)}"; its arguments are ${(prompt.arguments ?? []).map((a) => a.name).join(', ')}.`,
        { argument: argument.name.slice(0, 60) },
      )
    }
    return completer
  }
  const variables = TEMPLATE_VARIABLES[ref.uri]
  if (!variables) {
    throw invalidParams(
      `Unknown resource template: ${ref.uri.slice(0, 200)}. Tessera's templates are ${Object.keys(TEMPLATE_VARIABLES).join(' and ')}.`,
      { uri: ref.uri.slice(0, 200) },
    )
  }
  const completer = variables[argument.name]
  if (!completer) {
    throw invalidParams(
      `The template ${ref.uri} has no variable "${argument.name.slice(0, 60)}"; it has ${Object.keys(variables).join(', ')}.`,
      { argument: argument.name.slice(0, 60) },
    )
  }
  return completer
}

export async function complete(
  ctx: ServiceContext,
  params: CompleteRequest['params'],
): Promise<CompleteResult> {
  const completer = completerFor(params)
  const { values, hasMore } = await completer(ctx, params.argument.value.slice(0, MAX_TEXT))
  return { completion: { values, hasMore } }
}
