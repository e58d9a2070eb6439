import type { GetPromptResult, Prompt, PromptMessage } from '@modelcontextprotocol/sdk/types.js'
import type { Activity, Project, Task } from '../contract/index.js'
import { AppError } from '../lib/errors.js'
import { listActivity } from '../services/activity/list.js'
import type { ServiceContext } from '../services/context.js'
import { listMembers } from '../services/projects/members.js'
import { presentProject } from '../services/projects/present.js'
import { getTask } from '../services/tasks/get.js'
import { listTasks } from '../services/tasks/list.js'
import { accessOf, findVisibleProject } from '../services/workspace/access.js'
import { invalidParams } from './errors.js'
import { taskBullet, taskMarkdown, taskUri, when } from './markdown.js'

/*
 * Prompts: conversations a team starts every day, filled with live data read as the token's user
 * through the same services (and access rules) as the tools. Nothing in them comes from another
 * user's view: "my" activity and tasks are the caller's own.
 */

type Args = Record<string, string>

interface PromptSpec {
  prompt: Prompt
  get(ctx: ServiceContext, canWrite: boolean, args: Args): Promise<GetPromptResult>
}

const DAY_MS = 86_400_000
const OPEN_TASKS = 25
const TRIAGE_TASKS = 50
const STALE_DAYS = 14

const user = (text: string): PromptMessage => ({ role: 'user', content: { type: 'text', text } })

const bullets = (tasks: Task[], none: string) => (tasks.length ? tasks.map(taskBullet) : [none])

/** A project the caller can see, or the prompt argument's error. */
async function visibleProject(ctx: ServiceContext, key: string): Promise<Project> {
  try {
    return presentProject(await findVisibleProject(ctx.db, accessOf(ctx.actor), key))
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') {
      throw invalidParams(
        `Project "${key}" not found, or this API token cannot see it. Give a project key such as WEB (completion lists yours).`,
        { argument: 'project', code: 'not_found' },
      )
    }
    throw error
  }
}

const format = (value: unknown) => {
  const text = value === null || value === undefined ? 'none' : String(value)
  return text.length > 60 ? `${text.slice(0, 59)}…` : text
}

function activityLine(entry: Activity): string {
  const target = entry.target.label ?? entry.target.type
  const changes = Object.entries(entry.changes ?? {})
    .map(([field, { before, after }]) =>
      field === 'comment' ? `"${format(after)}"` : `${field}: ${format(before)} → ${format(after)}`,
    )
    .join('; ')
  return `- ${when(entry.at)} ${entry.action} ${target}${changes ? ` (${changes})` : ''}`
}

const standup: PromptSpec = {
  prompt: {
    name: 'standup',
    title: 'Stand-up update',
    description:
      'Drafts my stand-up update from my own recent Tessera activity and the open tasks assigned to me: done, next, blockers.',
    arguments: [
      {
        name: 'project',
        description: 'Only this project (its key, e.g. WEB); all my projects when left out',
        required: false,
      },
      {
        name: 'days',
        description:
          'How many days of activity to look back over, 1 to 14 (default 1; 3 after a weekend)',
        required: false,
      },
    ],
  },
  async get(ctx, _canWrite, args) {
    const days = args.days?.trim() ? Number(args.days) : 1
    if (!Number.isInteger(days) || days < 1 || days > 14) {
      throw invalidParams(
        `The argument "days" must be a whole number from 1 to 14, not "${format(args.days)}".`,
        {
          argument: 'days',
        },
      )
    }
    const project = args.project?.trim() ? await visibleProject(ctx, args.project.trim()) : null
    const access = accessOf(ctx.actor)
    const since = new Date(Date.now() - days * DAY_MS).toISOString()
    const mine = (status: 'in_progress' | 'todo') =>
      listTasks({
        ctx,
        input: { assignee: 'me', status, project: project?.id, limit: OPEN_TASKS },
      })
    const [feed, inProgress, todo] = await Promise.all([
      listActivity({
        db: ctx.db,
        input: {
          // Narrowed to the project the same way a project-restricted token is.
          viewer: { all: false, access: project ? { ...access, onlyKeys: [project.key] } : access },
          actorId: ctx.actor.user.id,
          limit: 50,
        },
      }),
      mine('in_progress'),
      mine('todo'),
    ])
    const recent = feed.activity.filter((entry) => entry.at >= since)
    const where = project ? ` in ${project.key} (${project.name})` : ''
    const text = [
      `Write my stand-up update${where} from my Tessera data below. I am ${ctx.actor.user.name}.`,
      'Three short parts, as bullet points:',
      `1. **Done since ${when(since)}**: what my activity shows I finished or moved forward.`,
      '2. **Next**: my tasks in progress first, then the to-do tasks I should pick up (higher priority and earlier due dates first).',
      '3. **Blockers**: overdue tasks, or anything that looks stuck; "none" if nothing stands out.',
      'Refer to tasks by their reference (e.g. WEB-12). Use only this data; where it is thin, say so instead of guessing.',
      '',
      `## My activity since ${when(since)} (newest first)`,
      '',
      ...(recent.length ? recent.map(activityLine) : ['_No activity of mine in this period._']),
      ...(recent.length === feed.activity.length && feed.nextCursor
        ? ['', '(Only my 50 latest entries are listed.)']
        : []),
      '',
      '## My tasks in progress',
      '',
      ...bullets(inProgress.tasks, '_None._'),
      '',
      '## My tasks to do',
      '',
      ...bullets(todo.tasks, '_None._'),
    ].join('\n')
    return {
      description: `Stand-up update for ${ctx.actor.user.name}${where}`,
      messages: [user(text)],
    }
  },
}

const triage: PromptSpec = {
  prompt: {
    name: 'triage',
    title: 'Triage a project',
    description:
      "Goes through a project's overdue, untriaged (no assignee or no priority) and stale open tasks and proposes a priority, an assignee and a next step for each.",
    arguments: [
      { name: 'project', description: 'The project key, e.g. WEB', required: true },
      {
        name: 'assignee',
        description: "Only this person's tasks: me, or a member's email (default: everyone's)",
        required: false,
      },
    ],
  },
  async get(ctx, canWrite, args) {
    const project = await visibleProject(ctx, (args.project ?? '').trim())
    const assignee = args.assignee?.trim() || undefined
    const open = (status: 'in_progress' | 'todo') =>
      listTasks({ ctx, input: { project: project.id, status, assignee, limit: TRIAGE_TASKS } })
    const [todo, inProgress, members] = await Promise.all([
      open('todo'),
      open('in_progress'),
      listMembers({ ctx, input: { project: project.id } }),
    ])
    const today = new Date().toISOString().slice(0, 10)
    const staleBefore = new Date(Date.now() - STALE_DAYS * DAY_MS).toISOString()
    const openTasks = [...inProgress.tasks, ...todo.tasks]
    const overdue = openTasks.filter((t) => t.dueDate !== null && t.dueDate < today)
    const untriaged = todo.tasks.filter(
      (t) => !overdue.includes(t) && (t.assignee === null || t.priority === 'none'),
    )
    const stale = openTasks.filter(
      (t) => !overdue.includes(t) && !untriaged.includes(t) && t.updatedAt < staleBefore,
    )
    const nothing = overdue.length + untriaged.length + stale.length === 0
    const text = [
      `Help me triage project ${project.key} (${project.name}) in Tessera${
        assignee ? `, the tasks assigned to ${assignee === 'me' ? 'me' : format(assignee)}` : ''
      }.`,
      nothing
        ? 'Nothing below needs triage: say so, and point out anything else in the open tasks worth attention.'
        : 'For each task below propose, in one line: a priority (low, medium, high or urgent), an assignee from the members listed, and the next step (clarify, split, start, close, or ping the assignee). Overdue tasks first, then untriaged, then stale.',
      canWrite
        ? 'Change nothing until I confirm; then apply what I accept with update_task, and explain a change with add_comment where it helps.'
        : 'This API token is read-only: list the changes for me to make; do not try to make them.',
      `Read a task in full (get_task, or the resource tessera://tasks/${project.key}-N) when its title is not enough.`,
      '',
      '## Overdue (due before today, not done)',
      '',
      ...bullets(overdue, '_None._'),
      '',
      '## Untriaged (to do, with no assignee or no priority)',
      '',
      ...bullets(untriaged, '_None._'),
      '',
      `## Stale (open, not updated for ${STALE_DAYS} days or more)`,
      '',
      ...bullets(stale, '_None._'),
      '',
      '## Members (possible assignees)',
      '',
      ...members.map((m) => `- ${m.user.name} <${m.user.email}> (${m.role})`),
      '',
      `(From the newest ${TRIAGE_TASKS} to-do and ${TRIAGE_TASKS} in-progress tasks${
        todo.nextCursor || inProgress.nextCursor
          ? `; the project has more open tasks, which list_tasks with project ${project.key} pages through`
          : ', which are all of its open tasks'
      }.)`,
    ].join('\n')
    return { description: `Triage of ${project.key} (${project.name})`, messages: [user(text)] }
  },
}

const workOnTask: PromptSpec = {
  prompt: {
    name: 'work_on_task',
    title: 'Work on a task',
    description:
      'Loads a task with its description and comments and plans the next steps with me, keeping the task up to date as work goes.',
    arguments: [{ name: 'task', description: 'The task reference, e.g. WEB-12', required: true }],
  },
  async get(ctx, canWrite, args) {
    const ref = (args.task ?? '').trim()
    let full: Awaited<ReturnType<typeof getTask>>
    try {
      full = await getTask({ ctx, input: { ref } })
    } catch (error) {
      if (error instanceof AppError && error.code === 'not_found') {
        throw invalidParams(
          `Task "${format(ref)}" not found, or this API token cannot see it. Give a reference such as WEB-12 (completion lists yours).`,
          { argument: 'task', code: 'not_found' },
        )
      }
      throw error
    }
    const { task } = full
    const me = ctx.actor.user.id
    const steps = [
      `I want to work on ${task.ref}: ${task.title}. The task, with its fields, description and comments, is attached below.`,
      '1. Sum up in a few lines what it asks for, and what the comments decided or still ask.',
      '2. List open questions or missing information, if any.',
      '3. Propose the next concrete steps, small and in order, starting with what to do right now.',
    ]
    if (task.status === 'done') {
      steps.push(
        '4. It is marked done: first check whether anything is left; if so, say what and propose reopening it (status todo).',
      )
    } else if (canWrite) {
      steps.push(
        task.status === 'todo'
          ? `4. When I start, set its status to in_progress with update_task${task.assignee?.id === me ? '' : ' and assign it to me (assignee "me")'}.`
          : '4. As steps get done, add a short progress comment with add_comment; when all is done, set its status to done with update_task.',
      )
    }
    if (!canWrite) {
      steps.push('This API token is read-only: suggest changes to the task instead of making them.')
    }
    if (task.assignee && task.assignee.id !== me) {
      steps.push(
        `Note: it is assigned to ${task.assignee.name}, not to me; suggest checking with them before taking it over.`,
      )
    }
    return {
      description: `Work on ${task.ref}: ${task.title}`,
      messages: [
        user(steps.join('\n')),
        {
          role: 'user',
          content: {
            type: 'resource',
            resource: {
              uri: taskUri(task.ref),
              mimeType: 'text/markdown',
              text: taskMarkdown(full),
            },
          },
        },
      ],
    }
  },
}

const PROMPTS = new Map([standup, triage, workOnTask].map((spec) => [spec.prompt.name, spec]))

/** The prompts/list answer, the same for every token. */
export const PROMPT_LIST = { prompts: [...PROMPTS.values()].map((spec) => spec.prompt) }

/** A prompt's definition, or the error for a name that is none. */
export function promptNamed(name: string): Prompt {
  const spec = PROMPTS.get(name)
  if (!spec) {
    throw invalidParams(
      `Unknown prompt: ${format(name)}. Tessera's prompts are ${[...PROMPTS.keys()].join(', ')}.`,
      { prompt: format(name) },
    )
  }
  return spec.prompt
}

/** prompts/get: checks the arguments against the prompt's, then builds it from live data. */
export async function getPrompt(
  ctx: ServiceContext,
  canWrite: boolean,
  name: string,
  args: Args | undefined,
): Promise<GetPromptResult> {
  const prompt = promptNamed(name)
  const declared = prompt.arguments ?? []
  const given = args ?? {}
  for (const key of Object.keys(given)) {
    if (!declared.some((a) => a.name === key)) {
      throw invalidParams(
        `The prompt ${name} has no argument "${format(key)}"; its arguments are ${declared.map((a) => a.name).join(', ') || 'none'}.`,
        { argument: format(key) },
      )
    }
  }
  for (const argument of declared) {
    if (argument.required && !given[argument.name]?.trim()) {
      throw invalidParams(
        `The prompt ${name} needs the argument "${argument.name}": ${argument.description}.`,
        { argument: argument.name },
      )
    }
  }
  return (PROMPTS.get(name) as PromptSpec).get(ctx, canWrite, given)
}
