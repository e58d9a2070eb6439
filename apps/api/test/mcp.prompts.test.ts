import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import { bearer, buildTestApp, userWithToken } from './helper.js'
import {
  clientPool,
  expectProtocolError,
  newestFirst,
  type OwnerWorkspace,
  ownerWorkspace,
  strangerActsInWeb,
  type Task,
} from './mcp.context.fixtures.js'
import { listen, mcpPath } from './mcp.fixtures.js'
import { addMember, createProject, createTask } from './workspace.fixtures.js'

let app: App
let url: string
const pool = clientPool(() => url)
let ws: OwnerWorkspace
let strangersTask: Task
beforeAll(async () => {
  app = await buildTestApp()
  url = `${await listen(app)}${mcpPath}`
  ws = await ownerWorkspace(app)
  strangersTask = await strangerActsInWeb(app, ws)
})
afterEach(() => pool.closeAll())
afterAll(async () => {
  await pool.closeAll()
  await app?.close()
})

type TokenName = keyof OwnerWorkspace['tokens']

/** The text of a prompt's messages, in order; embedded resources as their text. */
async function promptText(c: Client, name: string, args: Record<string, string> = {}) {
  const result = await c.getPrompt({ name, arguments: args })
  expect(result.messages.length).toBeGreaterThan(0)
  for (const message of result.messages) expect(message.role).toBe('user')
  return {
    result,
    text: result.messages
      .map(({ content }) =>
        content.type === 'text'
          ? content.text
          : content.type === 'resource' && 'text' in content.resource
            ? content.resource.text
            : '',
      )
      .join('\n----\n'),
  }
}

const promptRef = (name: string) => ({ type: 'ref/prompt' as const, name })
const templateRef = (uri: string) => ({ type: 'ref/resource' as const, uri })

async function completeWith(
  c: Client,
  ref: ReturnType<typeof promptRef> | ReturnType<typeof templateRef>,
  name: string,
  value: string,
) {
  const { completion } = await c.complete({ ref, argument: { name, value } })
  expect(completion.values.length).toBeLessThanOrEqual(100)
  return completion
}

describe('prompts/list', () => {
  for (const token of ['full', 'reader', 'restricted', 'stranger'] as TokenName[]) {
    it(`lists standup, triage and work_on_task with titles and arguments (${token} token)`, async () => {
      const c = await pool.client(ws.tokens[token])
      const { prompts } = await c.listPrompts()
      expect(prompts.map((p) => p.name)).toEqual(['standup', 'triage', 'work_on_task'])
      for (const prompt of prompts) {
        expect(prompt.title, prompt.name).toBeTruthy()
        expect(prompt.description?.length, prompt.name).toBeGreaterThan(30)
      }
      const args = Object.fromEntries(
        prompts.map((p) => [p.name, (p.arguments ?? []).map((a) => [a.name, !!a.required])]),
      )
      expect(args).toEqual({
        standup: [
          ['project', false],
          ['days', false],
        ],
        triage: [
          ['project', true],
          ['assignee', false],
        ],
        work_on_task: [['task', true]],
      })
    })
  }
})

describe('prompts/get: standup', () => {
  it("is built from the caller's own activity and open tasks, never another user's", async () => {
    const c = await pool.client(ws.tokens.full)
    const { result, text } = await promptText(c, 'standup')
    expect(result.description).toContain('Test member')
    expect(text).toMatch(/stand-up/i)
    // My activity: the tasks and the comment I made today.
    expect(text).toMatch(new RegExp(`task\\.created ${ws.tasks.login.ref}`))
    expect(text).toMatch(new RegExp(`comment\\.added ${ws.tasks.login.ref} \\("Seen on`))
    // My open tasks: the one assigned to me, not the done one, not the unassigned one.
    const next = text.slice(text.indexOf('## My tasks'))
    expect(next).toContain(`[${ws.tasks.login.ref}]`)
    expect(next).not.toContain(ws.tasks.shipped.ref)
    expect(next).not.toContain(ws.tasks.untriaged.ref)
    // The stranger works in the same project: none of it is mine.
    expect(text).not.toContain(strangersTask.ref)
    expect(text).not.toContain('Stranger was here')
    expect(text).not.toContain(ws.theirs.key)
  })

  it("the stranger's standup has only the stranger's work", async () => {
    const c = await pool.client(ws.tokens.stranger)
    const { text } = await promptText(c, 'standup')
    expect(text).toContain(strangersTask.ref)
    expect(text).toContain('Stranger was here')
    expect(text).not.toContain('Seen on **Safari**')
    expect(text).not.toMatch(new RegExp(`task\\.created ${ws.tasks.login.ref}`))
  })

  it('narrows to one project and a number of days; a read-only token gets the same', async () => {
    const full = await promptText(await pool.client(ws.tokens.full), 'standup', {
      project: ws.ops.key.toLowerCase(),
      days: '3',
    })
    const read = await promptText(await pool.client(ws.tokens.reader), 'standup', {
      project: ws.ops.key,
      days: '3',
    })
    expect(read.text).toEqual(full.text)
    expect(full.text).toContain(`in ${ws.ops.key} (Operations)`)
    expect(full.text).toContain(`task.created ${ws.tasks.deploy.ref}`)
    expect(full.text).not.toContain(ws.tasks.login.ref)
  })

  it('a project-restricted token covers only its project', async () => {
    const { text } = await promptText(await pool.client(ws.tokens.restricted), 'standup')
    expect(text).toContain(ws.tasks.login.ref)
    expect(text).not.toContain(ws.tasks.deploy.ref)
    await expectProtocolError(
      (await pool.client(ws.tokens.restricted)).getPrompt({
        name: 'standup',
        arguments: { project: ws.ops.key },
      }),
      ErrorCode.InvalidParams,
      /Project "[A-Z0-9]+" not found, or this API token cannot see it/,
    )
  })
})

describe('prompts/get: triage', () => {
  it("lists the project's untriaged tasks and members, and says how to apply changes", async () => {
    const { result, text } = await promptText(await pool.client(ws.tokens.full), 'triage', {
      project: ws.web.key,
    })
    expect(result.description).toBe(`Triage of ${ws.web.key} (Website)`)
    const untriaged = text.slice(text.indexOf('## Untriaged'), text.indexOf('## Stale'))
    // No assignee and no priority: untriaged. Assigned with a priority, or done: not.
    expect(untriaged).toContain(`[${ws.tasks.untriaged.ref}]`)
    expect(untriaged).not.toContain(ws.tasks.login.ref)
    expect(text).not.toContain(ws.tasks.shipped.ref)
    expect(text).not.toContain(ws.tasks.deploy.ref)
    const members = text.slice(text.indexOf('## Members'))
    expect(members).toContain(`<${ws.owner.email}> (owner)`)
    expect(members).toContain(`<${ws.stranger.email}> (member)`)
    expect(text).toContain('update_task')
    expect(text).not.toContain('read-only')
  })

  it('with a read-only token it proposes changes instead of making them', async () => {
    const { text } = await promptText(await pool.client(ws.tokens.reader), 'triage', {
      project: ws.web.key,
    })
    expect(text).toContain('This API token is read-only')
    expect(text).toContain(ws.tasks.untriaged.ref)
  })

  it('overdue tasks come first, and a project with nothing to triage says so', async () => {
    const { token } = await userWithToken(app)
    const headers = bearer(token.secret)
    const project = await createProject(app, headers)
    const late = await createTask(app, headers, {
      project: project.key,
      title: 'Late one',
      priority: 'low',
      assignee: 'me',
      dueDate: '2001-01-01',
    })
    const c = await pool.client(token.secret)
    const { text } = await promptText(c, 'triage', { project: project.key })
    const overdue = text.slice(text.indexOf('## Overdue'), text.indexOf('## Untriaged'))
    expect(overdue).toContain(`[${late.ref}]`)

    const calm = await createProject(app, headers)
    await createTask(app, headers, { project: calm.key, priority: 'low', assignee: 'me' })
    expect((await promptText(c, 'triage', { project: calm.key })).text).toContain(
      'Nothing below needs triage',
    )
  })

  it("with an assignee, only that person's tasks", async () => {
    // People of their own, so the shared workspace's lists stay as the other tests expect.
    const alice = await userWithToken(app)
    const bob = await userWithToken(app)
    const headers = bearer(alice.token.secret)
    const shared = await createProject(app, headers, { name: 'Shared' })
    await addMember(app, headers, shared.key, { userId: bob.user.id })
    // To do with no priority: untriaged, one for each of them.
    const mineOpen = await createTask(app, headers, {
      project: shared.key,
      title: 'Mine to prioritise',
      assignee: 'me',
    })
    const theirsOpen = await createTask(app, headers, {
      project: shared.key,
      title: 'Theirs to prioritise',
      assignee: bob.user.email,
    })
    const c = await pool.client(alice.token.secret)
    const mine = await promptText(c, 'triage', { project: shared.key, assignee: 'me' })
    expect(mine.text).toContain('the tasks assigned to me')
    expect(mine.text).toContain(mineOpen.ref)
    expect(mine.text).not.toContain(theirsOpen.ref)
    const theirs = await promptText(c, 'triage', { project: shared.key, assignee: bob.user.email })
    expect(theirs.text).toContain(theirsOpen.ref)
    expect(theirs.text).not.toContain(mineOpen.ref)
    const everyone = await promptText(c, 'triage', { project: shared.key })
    expect(everyone.text).toContain(mineOpen.ref)
    expect(everyone.text).toContain(theirsOpen.ref)
  })

  it("another user's or another project's key is an error, not an empty triage", async () => {
    for (const [token, key] of [
      ['stranger', ws.ops.key],
      ['restricted', ws.ops.key],
      ['full', ws.theirs.key],
    ] as const) {
      await expectProtocolError(
        (await pool.client(ws.tokens[token])).getPrompt({
          name: 'triage',
          arguments: { project: key },
        }),
        ErrorCode.InvalidParams,
        /not found, or this API token cannot see it/,
      )
    }
  })
})

describe('prompts/get: work_on_task', () => {
  it('attaches the task as a resource and plans the next steps', async () => {
    const { result, text } = await promptText(await pool.client(ws.tokens.full), 'work_on_task', {
      task: ws.tasks.login.ref.toLowerCase(),
    })
    expect(result.messages).toHaveLength(2)
    expect(result.messages[1]?.content).toMatchObject({
      type: 'resource',
      resource: { uri: `tessera://tasks/${ws.tasks.login.ref}`, mimeType: 'text/markdown' },
    })
    expect(text).toContain(`I want to work on ${ws.tasks.login.ref}: Fix login redirect`)
    expect(text).toContain('set its status to in_progress with update_task.')
    expect(text).toContain('1. Reproduce on Safari')
    expect(text).toContain('Seen on **Safari** 17')
    // The stranger's comment is part of the task: visible to everyone who sees it.
    expect(text).toContain('Stranger was here')
  })

  it('with a read-only token, on a done task or on a task of someone else it says so', async () => {
    const read = await promptText(await pool.client(ws.tokens.reader), 'work_on_task', {
      task: ws.tasks.login.ref,
    })
    expect(read.text).toContain('This API token is read-only')
    expect(read.text).not.toContain('update_task')
    const done = await promptText(await pool.client(ws.tokens.full), 'work_on_task', {
      task: ws.tasks.shipped.ref,
    })
    expect(done.text).toContain('It is marked done')
    const theirs = await promptText(await pool.client(ws.tokens.full), 'work_on_task', {
      task: strangersTask.ref,
    })
    expect(theirs.text).toContain('it is assigned to Test member, not to me')
  })

  it('a task the token cannot see is an error', async () => {
    for (const [token, ref] of [
      ['restricted', ws.tasks.deploy.ref],
      ['stranger', ws.tasks.deploy.ref],
      ['full', ws.tasks.theirTask.ref],
      ['full', `${ws.web.key}-999`],
      ['full', 'not a reference'],
    ] as const) {
      await expectProtocolError(
        (await pool.client(ws.tokens[token])).getPrompt({
          name: 'work_on_task',
          arguments: { task: ref },
        }),
        ErrorCode.InvalidParams,
        /Task ".*" not found, or this API token cannot see it/,
      )
    }
  })
})

describe('prompt errors', () => {
  it('an unknown prompt, a missing, unknown or bad argument is Invalid Params with a clear message', async () => {
    const c = await pool.client(ws.tokens.full)
    const cases: [string, Record<string, string>, RegExp][] = [
      [
        'deploy_everything',
        {},
        /Unknown prompt: deploy_everything\. .*standup, triage, work_on_task/,
      ],
      ['triage', {}, /The prompt triage needs the argument "project"/],
      ['triage', { project: '  ' }, /needs the argument "project"/],
      ['work_on_task', {}, /The prompt work_on_task needs the argument "task"/],
      [
        'standup',
        { since: 'monday' },
        /The prompt standup has no argument "since"; its arguments are project, days/,
      ],
      ['standup', { days: 'lots' }, /"days" must be a whole number from 1 to 14/],
      ['standup', { days: '30' }, /"days" must be a whole number from 1 to 14/],
    ]
    for (const [name, args, message] of cases) {
      await expectProtocolError(
        c.getPrompt({ name, arguments: args }),
        ErrorCode.InvalidParams,
        message,
      )
    }
  })

  it('a malformed request is Invalid Params in a 200 answer, never a 5xx', async () => {
    for (const params of [
      { name: 'triage', arguments: { project: 42 } },
      { arguments: {} },
      { name: 'nope' },
    ]) {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${ws.tokens.full}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'prompts/get', params }),
      })
      expect(res.status).toBe(200)
      expect(await res.json()).toMatchObject({ id: 3, error: { code: -32602 } })
    }
  })
})

describe('completion/complete', () => {
  const projectRefs = [
    [promptRef('triage'), 'project'],
    [promptRef('standup'), 'project'],
    [templateRef('tessera://projects/{key}'), 'key'],
  ] as const
  const taskRefs = [
    [promptRef('work_on_task'), 'task'],
    [templateRef('tessera://tasks/{ref}'), 'ref'],
  ] as const

  it('project keys: by prefix, only the projects the token can see', async () => {
    const full = await pool.client(ws.tokens.full)
    const reader = await pool.client(ws.tokens.reader)
    const restricted = await pool.client(ws.tokens.restricted)
    const stranger = await pool.client(ws.tokens.stranger)
    const mine = [ws.web.key, ws.ops.key].sort()
    for (const [ref, name] of projectRefs) {
      for (const c of [full, reader]) {
        expect((await completeWith(c, ref, name, '')).values).toEqual(mine)
        expect(
          (await completeWith(c, ref, name, ws.web.key.slice(0, 4).toLowerCase())).values,
        ).toContain(ws.web.key)
        // By name too.
        expect((await completeWith(c, ref, name, 'operat')).values).toEqual([ws.ops.key])
      }
      expect((await completeWith(restricted, ref, name, '')).values).toEqual([ws.web.key])
      expect((await completeWith(restricted, ref, name, ws.ops.key)).values).toEqual([])
      // The stranger, a member of web now, sees web and their own project; never ops.
      const theirs = (await completeWith(stranger, ref, name, '')).values
      expect(theirs).toEqual([ws.web.key, ws.theirs.key].sort())
      expect((await completeWith(stranger, ref, name, ws.ops.key)).values).toEqual([])
    }
  })

  it('assignees: me, then the members of the projects the token can see, by email or name', async () => {
    // A third person only in the stranger's private project: no one else may see them.
    const hidden = await userWithToken(app, 'member', { name: 'hidden' })
    await addMember(app, bearer(ws.tokens.stranger), ws.theirs.key, { userId: hidden.user.id })
    const ref = promptRef('triage')
    const full = await pool.client(ws.tokens.full)
    const restricted = await pool.client(ws.tokens.restricted)
    const stranger = await pool.client(ws.tokens.stranger)
    const webPeople = [ws.owner.email, ws.stranger.email].sort()
    for (const c of [full, restricted]) {
      const all = (await completeWith(c, ref, 'assignee', '')).values
      expect(all).toEqual(['me', ...webPeople])
      expect(all).not.toContain(hidden.user.email)
      expect(
        (await completeWith(c, ref, 'assignee', ws.stranger.email.slice(0, 8))).values,
      ).toEqual([ws.stranger.email])
      expect((await completeWith(c, ref, 'assignee', 'M')).values[0]).toBe('me')
      expect((await completeWith(c, ref, 'assignee', hidden.user.email)).values).toEqual([])
      // By name ("Test member", as the fixtures name everyone), in any case.
      expect((await completeWith(c, ref, 'assignee', 'test MEM')).values).toEqual(webPeople)
    }
    // The stranger sees the person in their own project too.
    expect((await completeWith(stranger, ref, 'assignee', 'test mem')).values).toEqual(
      [...webPeople, hidden.user.email].sort(),
    )
  })

  it('task references: by key prefix, by reference start and by title words, only visible ones', async () => {
    const full = await pool.client(ws.tokens.full)
    const reader = await pool.client(ws.tokens.reader)
    const restricted = await pool.client(ws.tokens.restricted)
    const stranger = await pool.client(ws.tokens.stranger)
    const { login, untriaged, shipped, deploy, theirTask } = ws.tasks
    const webTasks = newestFirst([login, untriaged, shipped, strangersTask]).map((t) => t.ref)
    for (const [ref, name] of taskRefs) {
      for (const c of [full, reader]) {
        expect((await completeWith(c, ref, name, `${ws.web.key}-`)).values).toEqual(webTasks)
        expect((await completeWith(c, ref, name, ws.web.key.toLowerCase())).values).toEqual(
          webTasks,
        )
        expect((await completeWith(c, ref, name, `${ws.web.key}-1`)).values).toEqual([login.ref])
        expect((await completeWith(c, ref, name, `${ws.web.key}-9`)).values).toEqual([])
        // Title words, in any case, parts of words included; every word must match.
        expect((await completeWith(c, ref, name, 'LOGIN')).values).toEqual(
          newestFirst([login, deploy]).map((t) => t.ref),
        )
        expect((await completeWith(c, ref, name, 'pipeline logi')).values).toEqual([deploy.ref])
        const all = (await completeWith(c, ref, name, '')).values
        expect(all).toEqual(expect.arrayContaining([...webTasks, deploy.ref]))
        expect(all).not.toContain(theirTask.ref)
      }
      expect((await completeWith(restricted, ref, name, 'login')).values).toEqual([login.ref])
      expect((await completeWith(restricted, ref, name, `${ws.ops.key}-`)).values).toEqual([])
      // The stranger's own task matches "login" too; the owner's ops task never does for them.
      expect((await completeWith(stranger, ref, name, 'login')).values).toEqual(
        newestFirst([login, theirTask]).map((t) => t.ref),
      )
      expect((await completeWith(stranger, ref, name, `${ws.ops.key}-1`)).values).toEqual([])
      // Text with nothing to match on.
      expect((await completeWith(full, ref, name, '%_ ?')).values).toEqual([])
    }
  })

  it('reference starts list 1, 10-19 and 100-199, and say when there is more', async () => {
    const { token } = await userWithToken(app)
    const headers = bearer(token.secret)
    const project = await createProject(app, headers)
    for (let i = 0; i < 12; i++) await createTask(app, headers, { project: project.key })
    const c = await pool.client(token.secret)
    const ones = await completeWith(c, promptRef('work_on_task'), 'task', `${project.key}-1`)
    expect(ones).toMatchObject({
      values: [1, 10, 11, 12].map((n) => `${project.key}-${n}`),
      hasMore: false,
    })
    const newest = await completeWith(c, promptRef('work_on_task'), 'task', '')
    expect(newest.values).toHaveLength(12)
  })

  it('standup days offers a few useful values', async () => {
    const c = await pool.client(ws.tokens.reader)
    expect((await completeWith(c, promptRef('standup'), 'days', '')).values).toEqual([
      '1',
      '3',
      '7',
      '14',
    ])
    expect((await completeWith(c, promptRef('standup'), 'days', '1')).values).toEqual(['1', '14'])
  })

  it('an unknown prompt, argument or template is Invalid Params', async () => {
    const c = await pool.client(ws.tokens.full)
    const cases: [Parameters<Client['complete']>[0], RegExp][] = [
      [{ ref: promptRef('nope'), argument: { name: 'x', value: '' } }, /Unknown prompt: nope/],
      [
        { ref: promptRef('triage'), argument: { name: 'task', value: '' } },
        /The prompt triage has no argument "task"; its arguments are project/,
      ],
      [
        { ref: templateRef('tessera://users/{id}'), argument: { name: 'id', value: '' } },
        /Unknown resource template: tessera:\/\/users\/\{id\}/,
      ],
      [
        { ref: templateRef('tessera://tasks/{ref}'), argument: { name: 'key', value: '' } },
        /has no variable "key"; it has ref/,
      ],
    ]
    for (const [params, message] of cases) {
      await expectProtocolError(c.complete(params), ErrorCode.InvalidParams, message)
    }
  })
})
