import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import type { Task } from '../src/contract/index.js'
import { bearer, buildTestApp, createToken, userWithToken } from './helper.js'
import { connect, listen, mcpPath, structured } from './mcp.fixtures.js'
import { as, createProject, createTask, expectProblem, expectStatus } from './workspace.fixtures.js'

// Task search (services/tasks/search.ts) on both databases: PGlite loads pg_trgm like the server.

let app: App
let url: string
const clients: Client[] = []
beforeAll(async () => {
  app = await buildTestApp()
  url = `${await listen(app)}${mcpPath}`
})
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()))
  await app.close()
})

type TaskPage = { tasks: Task[]; nextCursor: string | null }

async function board() {
  const { session, token } = await userWithToken(app)
  const headers = bearer(token.secret)
  const project = await createProject(app, headers)
  const other = await createProject(app, headers)
  const t = (title: string, description = '', key = project.key) =>
    createTask(app, headers, { project: key, title, description })
  // Created oldest first: newest-first order would list them bottom-up.
  const tasks = {
    titled: await t('Login page times out'),
    twice: await t('Cache', 'The login form; the login button.'),
    once: await t('Docs', 'Explain how the login works.'),
    logins: await t('Count failed logins'),
    partial: await t('Catalogue', 'Relogin after a password change'),
    code: await t('Ship 100%_ready'),
    unrelated: await t('Backups', 'Nightly, to S3'),
    elsewhere: await t('Login elsewhere', '', other.key),
  }
  return { session, headers, project, other, tasks }
}

const search = async (headers: Record<string, string>, query: string) =>
  expectStatus<TaskPage>(await as(app, headers)('GET', `/tasks?${query}`), 200)

const refs = async (headers: Record<string, string>, query: string) =>
  (await search(headers, query)).tasks.map((task) => task.ref)

describe('task search', () => {
  it('ranks by relevance: a word in the title, then more mentions, then substrings', async () => {
    const { headers, project, tasks } = await board()
    const { titled, twice, once, logins, partial } = tasks
    expect(await refs(headers, `project=${project.key}&q=login`)).toEqual([
      // Title words (weight A) first; English stemming makes "logins" the same word.
      logins.ref,
      titled.ref,
      // Then the description: two mentions before one.
      twice.ref,
      once.ref,
      // "Relogin" is not the word, but contains the text.
      partial.ref,
    ])
  })

  it('understands quoted phrases, excluded words and parts of words', async () => {
    const { headers, project, tasks } = await board()
    const key = `project=${project.key}`
    expect(await refs(headers, `${key}&q=${encodeURIComponent('"login page"')}`)).toEqual([
      tasks.titled.ref,
    ])
    expect(await refs(headers, `${key}&q=${encodeURIComponent('login -button -docs')}`)).toEqual([
      tasks.logins.ref,
      tasks.titled.ref,
    ])
    // Part of a word, in any case: substring matching through the trigram indexes.
    expect(await refs(headers, `${key}&q=ATALOG`)).toEqual([tasks.partial.ref])
    expect(await refs(headers, `${key}&q=ightl`)).toEqual([tasks.unrelated.ref])
  })

  it('finds nothing for a term no task has, and takes short text literally', async () => {
    const { headers, project, tasks } = await board()
    const key = `project=${project.key}`
    expect(await search(headers, `${key}&q=quixotry`)).toEqual({ tasks: [], nextCursor: null })
    expect(await refs(headers, `${key}&q=${encodeURIComponent('zz top')}`)).toEqual([])
    // No three letters in a row: a plain substring, newest first; % and _ are not wildcards.
    expect(await refs(headers, `${key}&q=${encodeURIComponent('%_')}`)).toEqual([tasks.code.ref])
    expect(await refs(headers, `${key}&q=S3`)).toEqual([tasks.unrelated.ref])
  })

  it('stays within the project, status and projects the caller can see', async () => {
    const { session, headers, project, other, tasks } = await board()
    expect(await refs(headers, `project=${other.key.toLowerCase()}&q=login`)).toEqual([
      tasks.elsewhere.ref,
    ])
    expect(await refs(headers, `project=${other.id}&q=login`)).toEqual([tasks.elsewhere.ref])
    expect(await refs(headers, 'q=login')).toContain(tasks.elsewhere.ref)
    expect(await refs(headers, `project=${project.key}&status=done&q=login`)).toEqual([])

    const limited = await createToken(app, session, {
      name: 'one project',
      scopes: ['read', `project:${project.key}`],
    })
    const seen = await refs(bearer(limited.secret), 'q=login')
    expect(seen).toContain(tasks.titled.ref)
    expect(seen).not.toContain(tasks.elsewhere.ref)
    expect(await refs(bearer(limited.secret), `project=${other.key}&q=login`)).toEqual([])

    const stranger = await userWithToken(app)
    expect(await refs(bearer(stranger.token.secret), `project=${project.key}&q=login`)).toEqual([])
  })

  it('pages through every match once, in relevance order', async () => {
    const { headers, project } = await board()
    const all = await refs(headers, `project=${project.key}&q=login&limit=100`)
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: TaskPage = await search(
        headers,
        `project=${project.key}&q=login&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      )
      expect(page.tasks.length).toBeLessThanOrEqual(2)
      seen.push(...page.tasks.map((task) => task.ref))
      cursor = page.nextCursor
    } while (cursor)
    expect(seen).toEqual(all)
    expect(seen).toHaveLength(5)
  })

  it('refuses a cursor of the plain list for a search, and the other way round', async () => {
    const { headers, project } = await board()
    const listed = await search(headers, `project=${project.key}&limit=1`)
    const searched = await search(headers, `project=${project.key}&q=login&limit=1`)
    expect(listed.nextCursor).toEqual(expect.any(String))
    expect(searched.nextCursor).toEqual(expect.any(String))
    const res1 = await as(app, headers)(
      'GET',
      `/tasks?project=${project.key}&q=login&cursor=${listed.nextCursor}`,
    )
    expectProblem(res1, 400, 'invalid_cursor')
    const res2 = await as(app, headers)(
      'GET',
      `/tasks?project=${project.key}&cursor=${searched.nextCursor}`,
    )
    expectProblem(res2, 400, 'invalid_cursor')
  })

  it('MCP search_tasks gives the same answer as the REST search', async () => {
    const { token } = await userWithToken(app)
    const headers = bearer(token.secret)
    const project = await createProject(app, headers)
    const inTitle = await createTask(app, headers, { project: project.key, title: 'Rate limit' })
    const inText = await createTask(app, headers, {
      project: project.key,
      title: 'Gateway',
      description: 'Add a rate limit per token',
    })
    const c = await connect(url, `Bearer ${token.secret}`)
    clients.push(c)
    const found = structured<TaskPage>(
      await c.callTool({
        name: 'search_tasks',
        arguments: { query: '"rate limit"', project: project.key },
      }),
    )
    expect(found.tasks.map((task) => task.ref)).toEqual([inTitle.ref, inText.ref])
    expect(found.tasks.map((task) => task.ref)).toEqual(
      await refs(headers, `project=${project.key}&q=${encodeURIComponent('"rate limit"')}`),
    )
    const none = structured<TaskPage>(
      await c.callTool({ name: 'search_tasks', arguments: { query: 'quixotry' } }),
    )
    expect(none.tasks).toEqual([])
  })
})
