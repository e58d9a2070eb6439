import { randomBytes } from 'node:crypto'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import type { DatabaseConfig } from '../src/db/client.js'
import {
  bearer,
  buildTestApp,
  createTestUser,
  createToken,
  isolatedDatabaseConfig,
  type Session,
  signIn,
} from './helper.js'
import { describePlan, explain, type PlanNode, planNodes } from './query-plans.js'
import { as, createProject } from './workspace.fixtures.js'

/*
 * The plans PostgreSQL picks for the list and search queries, on a database big enough that it
 * prefers an index where one fits (50,000 tasks, 100,000 activity entries, 21,000 tokens). The SQL
 * is what the services send for real requests, captured by a query logger, so this follows the
 * code. Plans, not timings: a plan that reads whole tables is slow at any size worth having.
 */

const TASKS = 50_000
const ACTIVITY = 100_000
const OTHER_USERS = 2_000
const TOKENS = 20_000
/** In one task description in a thousand. */
const RARE = 'zeppelin'
/** In no task. */
const MISSING = 'quixotry'

interface Captured {
  query: string
  params: unknown[]
}

const LISTED_TABLES = ['tasks', 'activity', 'api_tokens']

let app: App
let sql: postgres.Sql
const captured: Captured[] = []
let member: { headers: Record<string, string>; session: Session; userId: string }
let restricted: Record<string, string>
let admin: Session
let projectKey: string
let memberTokenId: string

/** The queries a request sent, in order. */
async function queriesOf(request: () => Promise<{ statusCode: number; body: string }>) {
  captured.length = 0
  const res = await request()
  expect(res.statusCode, res.body).toBe(200)
  return [...captured]
}

/**
 * The request's list query (the one reading `table` with an ORDER BY) and its plan, after checking
 * that nothing the request sent reads tasks, activity or api_tokens sequentially.
 */
async function listPlan(
  request: () => Promise<{ statusCode: number; body: string }>,
  table: string,
) {
  const queries = await queriesOf(request)
  for (const { query, params } of queries) {
    const nodes = await explain(sql, query, params)
    const seq = nodes.filter(
      (n) =>
        n['Node Type'].includes('Seq Scan') && LISTED_TABLES.includes(n['Relation Name'] ?? ''),
    )
    expect(
      seq.map((n) => n['Relation Name']),
      `${query}\n${describePlan(nodes)}`,
    ).toEqual([])
  }
  const list = queries.find(
    ({ query }) => query.includes(`from "${table}"`) && query.includes('order by'),
  )
  if (!list) throw new Error(`no list query on ${table} among ${queries.length}`)
  const nodes = await explain(sql, list.query, list.params)
  return { nodes, text: `${list.query}\n${describePlan(nodes)}` }
}

const indexesOf = (nodes: PlanNode[]) => nodes.flatMap((n) => n['Index Name'] ?? [])
const sorts = (nodes: PlanNode[]) =>
  nodes.filter((n) => n['Node Type'].includes('Sort')).map((n) => n['Node Type'])

/** Served in order by this index (or one of these): no sort of the rows read, no sequential read. */
function expectIndexOrder(plan: { nodes: PlanNode[]; text: string }, index: string | string[]) {
  const used = indexesOf(plan.nodes)
  const wanted = typeof index === 'string' ? [index] : index
  expect(
    used.some((name) => wanted.includes(name)),
    `${plan.text}\nexpected one of ${wanted.join(', ')}`,
  ).toBe(true)
  expect(sorts(plan.nodes), plan.text).toEqual([])
}

const get = (headers: Record<string, string>, path: string) => () => as(app, headers)('GET', path)

async function nextCursor(headers: Record<string, string>, path: string, rowsKey: string) {
  const res = await as(app, headers)('GET', path)
  const body = res.json() as Record<string, unknown>
  expect((body[rowsKey] as unknown[]).length, res.body).toBeGreaterThan(0)
  const cursor = body.nextCursor as string | null
  if (!cursor) throw new Error(`${path}: no next page`)
  return cursor
}

async function seed(projectId: string, memberId: string, memberTokenId: string) {
  await sql.unsafe(`set maintenance_work_mem = '256MB'`)
  await sql.unsafe(`
    insert into users (email, name, password_hash)
    select 'plan-user-' || g || '@example.test', 'User ' || g, 'not-a-hash'
    from generate_series(1, ${OTHER_USERS}) g`)
  await sql.unsafe(`
    insert into projects (key, name)
    select 'PLAN' || g, 'Project ' || g from generate_series(1, 9) g`)
  // The member belongs to two of the other projects as well.
  await sql.unsafe(`
    insert into project_members (project_id, user_id)
    select id, '${memberId}' from projects where key in ('PLAN1', 'PLAN2')`)
  const words = [
    'fix',
    'add',
    'update',
    'login',
    'page',
    'button',
    'form',
    'cache',
    'token',
    'session',
    'user',
    'project',
    'task',
    'report',
    'export',
    'import',
    'error',
    'crash',
    'slow',
    'fast',
    'mobile',
    'desktop',
    'layout',
    'dark',
    'mode',
    'email',
    'queue',
    'worker',
    'retry',
    'limit',
    'search',
    'index',
    'database',
    'schema',
    'migration',
    'deploy',
    'release',
    'build',
    'test',
    'docs',
    'the',
    'a',
    'to',
    'of',
    'and',
    'in',
    'for',
    'on',
    'with',
    'when',
    'after',
    'before',
    'should',
    'must',
    'can',
    'not',
    'broken',
    'missing',
    'wrong',
    'stale',
    'timeout',
    'header',
    'request',
    'response',
  ]
  const word = (salt: string) =>
    `(array[${words.map((w) => `'${w}'`).join(',')}])[1 + (hashint8(g::bigint * ${salt}) & 2147483647) % ${words.length}]`
  const phrase = (count: number, salt: number) =>
    Array.from({ length: count }, (_, i) => word(`${salt + i * 7919}`)).join(` || ' ' || `)
  // The member's big project, then 500 tasks in each of the others.
  await sql.unsafe(`
    insert into tasks (project_id, number, title, description, status, assignee_id, created_at)
    select '${projectId}', g, ${phrase(5, 11)},
      ${phrase(24, 13)} || case when g % 1000 = 7 then ' the ${RARE} adapter' else '' end,
      (array['todo','in_progress','done'])[1 + g % 3],
      case when g % 10 = 0 then '${memberId}'::uuid end,
      now() - interval '730 days' + g * interval '20 minutes'
    from generate_series(1, ${TASKS}) g`)
  await sql.unsafe(`
    insert into tasks (project_id, number, title, description, created_at)
    select p.id, g, ${phrase(5, 17)}, ${phrase(24, 19)},
      now() - (g * 35 + substr(p.key, 5)::int) * interval '1 hour'
    from projects p cross join generate_series(1, 500) g where p.key like 'PLAN%'`)
  // 60% in the big project, 30% in the others, 10% account-level; the member acts in 0.5% (in
  // their account) and with their token in 0.1% more (in the big project). A third of everything
  // is done with some token, one in seven through MCP.
  await sql.unsafe(`
    with others as (select array_agg(id order by key) ids from projects where key like 'PLAN%'),
         actors as (select array_agg(id) ids from users where email like 'plan-user-%')
    insert into activity (at, actor_id, via, project_id, token_id, token_name, action, target_type,
      target_id)
    select now() - interval '365 days' + g * interval '5 minutes',
      case when g % 200 = 9 or g % 1000 = 5 then '${memberId}'::uuid
           else actors.ids[1 + g % ${OTHER_USERS}] end,
      case when g % 7 = 0 then 'mcp' else 'api' end,
      case when g % 10 < 6 then '${projectId}'::uuid when g % 10 < 9 then others.ids[1 + g % 9] end,
      case when g % 2000 = 9 or g % 1000 = 5 then '${memberTokenId}'::uuid
           when g % 200 <> 9 and g % 3 = 0 then gen_random_uuid() end,
      case when g % 2000 = 9 or g % 1000 = 5 or (g % 200 <> 9 and g % 3 = 0) then 'agent' end,
      'task.updated', 'task', g::text
    from generate_series(1, ${ACTIVITY}) g, others, actors`)
  // A quiet project: 40 entries over the year.
  await sql.unsafe(`insert into projects (key, name) values ('QUIET', 'Quiet project')`)
  await sql.unsafe(`
    insert into activity (at, actor_id, via, project_id, action, target_type, target_id)
    select now() - interval '360 days' + g * interval '9 days', '${memberId}'::uuid, 'web',
      (select id from projects where key = 'QUIET'), 'project.updated', 'project', g::text
    from generate_series(1, 40) g`)
  // The history of the big project's first task: 300 entries among the rest.
  await sql.unsafe(`
    insert into activity (at, actor_id, via, project_id, action, target_type, target_id)
    select now() - interval '300 days' + g * interval '1 day', '${memberId}'::uuid, 'web',
      '${projectId}'::uuid, 'task.updated', 'task', t.id::text
    from generate_series(1, 300) g,
      (select id from tasks where project_id = '${projectId}' and number = 1) t`)
  // 1,000 tokens of the member (one in twenty, over the whole time), the rest spread over the
  // other users.
  await sql.unsafe(`
    with actors as (select array_agg(id) ids from users where email like 'plan-user-%')
    insert into api_tokens (user_id, name, secret_hash, prefix, scopes, created_at, revoked_at)
    select case when g % 20 = 0 then '${memberId}'::uuid else actors.ids[1 + g % ${OTHER_USERS}] end,
      'token ' || g, md5('plan' || g) || md5('token' || g), 'tsr_000000', '{read}',
      now() - interval '400 days' + g * interval '30 minutes',
      case when g % 10 = 0 then now() end
    from generate_series(1, ${TOKENS}) g, actors`)
  // Four tokens in five used at some time in the last 400 days (the admin list by last use).
  await sql.unsafe(`
    update api_tokens set last_used_at = case when abs(hashtext(id::text)) % 5 = 0 then null
      else now() - (abs(hashtext(id::text || 'used')) % 400) * interval '1 day'
        - (abs(hashtext(id::text)) % 86400000) * interval '1 millisecond' end
    where name like 'token %'`)
  await sql.unsafe('vacuum analyze')
}

beforeAll(async () => {
  const config = (await isolatedDatabaseConfig()) as DatabaseConfig & { url: string }
  sql = postgres(config.url, { max: 1, onnotice: () => {} })
  app = await buildTestApp({
    database: {
      ...config,
      logger: { logQuery: (query, params) => captured.push({ query, params }) },
    },
  })
  const user = await createTestUser(app)
  const session = await signIn(app, user)
  const token = await createToken(app, session, { name: 'plans' })
  const headers = bearer(token.secret)
  member = { headers, session, userId: user.id }
  memberTokenId = token.id
  projectKey = (await createProject(app, headers)).key
  const [project] = await sql<{ id: string }[]>`select id from projects where key = ${projectKey}`
  await seed(project?.id ?? '', user.id, token.id)
  const limited = await createToken(app, session, {
    name: 'one project',
    scopes: ['read', `project:${projectKey}`],
  })
  restricted = bearer(limited.secret)
  admin = await signIn(app, await createTestUser(app, 'admin'))
}, 180_000)

afterAll(async () => {
  await sql?.end()
  await app?.close()
})

describe('query plans at scale (PostgreSQL)', () => {
  it('the task list of a project reads its index in order, first page and later pages', async () => {
    const path = `/tasks?project=${projectKey}&limit=25`
    expectIndexOrder(
      await listPlan(get(member.headers, path), 'tasks'),
      'tasks_project_id_created_at_idx',
    )
    const cursor = await nextCursor(member.headers, path, 'tasks')
    const later = await listPlan(get(member.headers, `${path}&cursor=${cursor}`), 'tasks')
    expectIndexOrder(later, 'tasks_project_id_created_at_idx')
    // The cursor is where the index scan starts, not a filter over the pages before it.
    expect(later.text).toMatch(/created_at", "tasks"."id"\) < \(/)
  })

  it('the task list across projects reads each visible project a page deep, by assignee in order', async () => {
    for (const path of ['/tasks?limit=25', '/tasks?limit=25&status=todo']) {
      const { nodes, text } = await listPlan(get(member.headers, path), 'tasks')
      expect(indexesOf(nodes), text).toContain('tasks_project_id_created_at_idx')
      // The outer page and one page per project: the sort only sees projects x 26 rows.
      expect(nodes.filter((n) => n['Node Type'] === 'Limit').length, text).toBe(2)
    }
    expectIndexOrder(
      await listPlan(get(member.headers, '/tasks?assignee=me&limit=25'), 'tasks'),
      'tasks_assignee_id_created_at_idx',
    )
  })

  it('search reads the text indexes only, for a rare term and for one in no task', async () => {
    for (const term of [RARE, MISSING, `"${RARE} adapter"`]) {
      for (const scope of [`project=${projectKey}&`, '']) {
        const plan = await listPlan(
          get(member.headers, `/tasks?${scope}q=${encodeURIComponent(term)}`),
          'tasks',
        )
        const indexes = indexesOf(plan.nodes)
        expect(indexes, plan.text).toEqual(
          expect.arrayContaining([
            'tasks_search_idx',
            'tasks_title_trgm_idx',
            'tasks_description_trgm_idx',
          ]),
        )
        // Never walks a list index (which reads a whole project when nothing matches).
        expect(
          indexes.filter((name) => name.includes('created_at')),
          plan.text,
        ).toEqual([])
      }
    }
  })

  it('search for a common word ranks only the newest matches: the list index, stopped at the window', async () => {
    const plan = await listPlan(
      get(member.headers, `/tasks?project=${projectKey}&q=login`),
      'tasks',
    )
    expect(indexesOf(plan.nodes), plan.text).toContain('tasks_project_id_created_at_idx')
    // No bitmap over every match: the walk stops once the window is full.
    expect(
      plan.nodes.filter((n) => n['Node Type'] === 'Bitmap Heap Scan'),
      plan.text,
    ).toEqual([])
    expect(plan.text).toContain(`limit $`)
    const res = await as(app, member.headers)('GET', `/tasks?project=${projectKey}&q=login`)
    const body = res.json() as { tasks: { title: string; description: string }[] }
    expect(body.tasks).toHaveLength(25)
    for (const task of body.tasks) expect(`${task.title} ${task.description}`).toMatch(/login/i)
  })

  it('search finds the rare term in its tasks, most relevant first', async () => {
    const res = await as(app, member.headers)('GET', `/tasks?project=${projectKey}&q=${RARE}`)
    const body = res.json() as { tasks: { description: string }[] }
    expect(body.tasks).toHaveLength(25)
    for (const task of body.tasks) expect(task.description).toContain(RARE)
  })

  it('activity pages read the feed index in order: first, deep, and for a project-limited token', async () => {
    for (const headers of [member.headers, restricted, admin.headers]) {
      const path = '/activity?limit=50'
      expectIndexOrder(await listPlan(get(headers, path), 'activity'), 'activity_seq_idx')
      // Deep: a cursor half-way through the feed.
      const [middle] = await sql<{ seq: string }[]>`
        select seq from activity order by seq desc offset ${ACTIVITY / 2} limit 1`
      const cursor = Buffer.from(`a${middle?.seq}`).toString('base64url')
      const deep = await listPlan(get(headers, `${path}&cursor=${cursor}`), 'activity')
      expectIndexOrder(deep, 'activity_seq_idx')
      expect(deep.text).toContain('"activity"."seq" < $')
    }
  })

  it("activity by actor reads the actor's index in order", async () => {
    expectIndexOrder(
      await listPlan(get(admin.headers, `/activity?actor=${member.userId}&limit=50`), 'activity'),
      'activity_actor_id_seq_idx',
    )
  })

  it('each activity filter reads its own index in order, first page and deep', async () => {
    // A project with many entries (the big one has 60% of the feed, the others 3% each): walking
    // the feed's own index, in heap order, and keeping the project's entries costs less than
    // fetching them one by one through the project's index, and PostgreSQL may take either; a
    // quiet project is read through its index.
    const busyProject = ['activity_seq_idx', 'activity_project_id_seq_idx']
    const cases = [
      {
        headers: member.headers,
        query: `project=${projectKey}`,
        index: busyProject,
      },
      {
        headers: restricted,
        query: `project=${projectKey}`,
        index: busyProject,
      },
      { headers: admin.headers, query: 'project=PLAN3', index: busyProject },
      { headers: admin.headers, query: 'project=QUIET', index: 'activity_project_id_seq_idx' },
      { headers: member.headers, query: `task=${projectKey}-1`, index: 'activity_target_seq_idx' },
      { headers: admin.headers, query: `task=${projectKey}-1`, index: 'activity_target_seq_idx' },
      {
        headers: member.headers,
        query: `token=${memberTokenId}`,
        index: 'activity_token_id_seq_idx',
      },
      {
        headers: admin.headers,
        query: `token=${memberTokenId}`,
        index: 'activity_token_id_seq_idx',
      },
      { headers: member.headers, query: 'token=mine', index: 'activity_actor_id_token_seq_idx' },
      { headers: restricted, query: 'token=mine', index: 'activity_actor_id_token_seq_idx' },
      { headers: member.headers, query: 'actor=me', index: 'activity_actor_id_seq_idx' },
      {
        headers: member.headers,
        query: `actor=${member.userId}&project=${projectKey}`,
        index: 'activity_actor_id_seq_idx',
      },
      { headers: member.headers, query: 'via=mcp', index: 'activity_seq_idx' },
      { headers: admin.headers, query: 'via=mcp', index: 'activity_seq_idx' },
    ]
    for (const { headers, query, index } of cases) {
      const path = `/activity?${query}&limit=10`
      expectIndexOrder(await listPlan(get(headers, path), 'activity'), index)
      const cursor = await nextCursor(headers, path, 'activity')
      const deep = await listPlan(get(headers, `${path}&cursor=${cursor}`), 'activity')
      expectIndexOrder(deep, index)
      expect(deep.text).toContain('"activity"."seq" < $')
    }
  })

  it("a user's tokens and the admin token list read their indexes in order, every page", async () => {
    const cases = [
      {
        headers: member.session.headers,
        path: '/tokens?limit=50',
        index: 'api_tokens_user_id_created_at_idx',
      },
      {
        headers: admin.headers,
        path: '/admin/tokens?limit=50',
        index: 'api_tokens_created_at_idx',
      },
      {
        headers: admin.headers,
        path: '/admin/tokens?limit=50&status=active',
        index: 'api_tokens_created_at_idx',
      },
      {
        headers: admin.headers,
        path: `/admin/tokens?limit=50&userId=${member.userId}`,
        index: 'api_tokens_user_id_created_at_idx',
      },
    ]
    for (const { headers, path, index } of cases) {
      expectIndexOrder(await listPlan(get(headers, path), 'api_tokens'), index)
      const cursor = await nextCursor(headers, path, 'tokens')
      expectIndexOrder(
        await listPlan(get(headers, `${path}&cursor=${cursor}`), 'api_tokens'),
        index,
      )
    }
  })

  it('the admin token list by last use and "unused for 90 days" read the last-use index in order, every page', async () => {
    for (const query of ['sort=last_used', 'unused=90', 'sort=last_used&status=active']) {
      const path = `/admin/tokens?limit=50&${query}`
      let cursor: string | null = null
      // Three pages, then one deep in (where used tokens end and never used ones begin).
      for (let page = 0; page < 4; page++) {
        const url: string = `${path}${cursor ? `&cursor=${cursor}` : ''}`
        // Every query the request sent: none reads api_tokens sequentially (listPlan), and each
        // part of the list (used, then never used) walks the index in its order.
        await listPlan(get(admin.headers, url), 'api_tokens')
        const lists = captured.filter(
          ({ query }) => query.includes('from "api_tokens"') && query.includes('order by'),
        )
        expect(lists.length, url).toBeGreaterThan(0)
        for (const { query, params } of lists) {
          const nodes = await explain(sql, query, params)
          expectIndexOrder(
            { nodes, text: `${query}\n${describePlan(nodes)}` },
            'api_tokens_last_used_at_idx',
          )
        }
        const res = await as(app, admin.headers)('GET', url)
        cursor = (res.json() as { nextCursor: string | null }).nextCursor
        expect(cursor, url).not.toBeNull()
        if (page === 2) {
          // Jump to the last used token: the next page starts with the never used ones.
          const [last] = await sql<{ at: Date; id: string }[]>`
            select last_used_at as at, id from api_tokens where last_used_at is not null
            order by last_used_at asc, id asc limit 1`
          if (!last) throw new Error('no used token')
          cursor = Buffer.from(`u|${last.at.toISOString()}|${last.id}`).toString('base64url')
        }
      }
    }
  })

  it("a token's detail reads its usage and its activity through their indexes", async () => {
    const list = await as(app, member.session.headers)('GET', '/tokens?limit=1')
    const [token] = (list.json() as { tokens: { id: string }[] }).tokens
    if (!token) throw new Error('no token')
    for (const [headers, path] of [
      [member.session.headers, `/tokens/${token.id}`],
      [admin.headers, `/admin/tokens/${token.id}`],
    ] as const) {
      const plan = await listPlan(get(headers, path), 'activity')
      expectIndexOrder(plan, 'activity_token_id_seq_idx')
    }
  })

  it('MCP completion of task references reads an index for each form of what was typed', async () => {
    const complete = (value: string) => () =>
      app.inject({
        method: 'POST',
        url: '/api/v1/mcp',
        headers: {
          ...member.headers,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        payload: {
          jsonrpc: '2.0',
          id: 1,
          method: 'completion/complete',
          params: {
            ref: { type: 'ref/prompt', name: 'work_on_task' },
            argument: { name: 'task', value },
          },
        },
      })
    // A project's newest tasks, in its list index's order.
    expectIndexOrder(
      await listPlan(complete(`${projectKey}-`), 'tasks'),
      'tasks_project_id_created_at_idx',
    )
    // Numbers starting with 12: 12, 120-129, 1200-1299, by the project's number index.
    const numbers = await listPlan(complete(`${projectKey}-12`), 'tasks')
    expect(indexesOf(numbers.nodes), numbers.text).toContain('tasks_project_id_number_key')
    // Title words through the trigram index, and (a word could start a key) each visible
    // project's newest tasks a page deep; never a whole project in list order.
    for (const words of ['login', 'crash header', 'zz9']) {
      const plan = await listPlan(complete(words), 'tasks')
      expect(indexesOf(plan.nodes), plan.text).toContain('tasks_title_trgm_idx')
    }
    // Nothing typed yet: the newest tasks of each visible project, a page deep.
    const newest = await listPlan(complete(''), 'tasks')
    expect(indexesOf(newest.nodes), newest.text).toContain('tasks_project_id_created_at_idx')
    expect(newest.nodes.filter((n) => n['Node Type'] === 'Limit').length, newest.text).toBe(2)
  })

  it('MCP resources/list reads the project list and then the task list in index order', async () => {
    const list = (cursor?: string) => () =>
      app.inject({
        method: 'POST',
        url: '/api/v1/mcp',
        headers: {
          ...restricted,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        payload: {
          jsonrpc: '2.0',
          id: 1,
          method: 'resources/list',
          params: cursor ? { cursor } : {},
        },
      })
    // As the task list across projects: each visible project read a page deep, in index order.
    const res = await list()()
    const cursor = (res.json() as { result: { nextCursor?: string } }).result.nextCursor
    if (!cursor) throw new Error(`no next page: ${res.body}`)
    for (const page of [await listPlan(list(), 'tasks'), await listPlan(list(cursor), 'tasks')]) {
      expect(indexesOf(page.nodes), page.text).toContain('tasks_project_id_created_at_idx')
      expect(page.nodes.filter((n) => n['Node Type'] === 'Limit').length, page.text).toBe(2)
    }
  })

  it('a batch of token lookups joins each token to its user by primary key', async () => {
    const queries = await queriesOf(() => as(app, member.headers)('GET', '/me'))
    const lookup = queries.find(({ query }) => /from api_tokens.*= any\(/s.test(query))
    if (!lookup) throw new Error('no token lookup captured')
    const hashes = await sql<{ secret_hash: string }[]>`
      select secret_hash from api_tokens order by md5(id::text) limit 32`
    const batch = `{${hashes.map((h) => h.secret_hash).join(',')}}`
    expect(batch).toMatch(/^\{[0-9a-f,]+\}$/)
    const [current] = await sql<{ version: string }[]>`select version::text from auth_version`
    // The captured parameters as literals, both hash arrays replaced by the batch: with the
    // current version (the tokens not seen yet are read) and with an older one (all are).
    const argsFor = (version: string) =>
      lookup.params.map((value) =>
        Array.isArray(value)
          ? `'${batch}'::text[]`
          : typeof value === 'string'
            ? `'${version}'`
            : `${value}`,
      )
    // As the prepared statement runs after its first executions: one generic plan for any batch.
    const reserved = await sql.reserve()
    try {
      const name = `plan_check_${randomBytes(4).toString('hex')}`
      await reserved.unsafe(`prepare ${name} as ${lookup.query}`)
      for (const [mode, version] of [
        ['force_generic_plan', current?.version ?? ''],
        ['force_generic_plan', '-1'],
        ['force_custom_plan', current?.version ?? ''],
      ]) {
        await reserved.unsafe(`set plan_cache_mode = ${mode}`)
        const [row] = await reserved.unsafe(
          `explain (format json) execute ${name}(${argsFor(version ?? '').join(', ')})`,
        )
        const nodes = planNodes(row)
        const text = `${mode}: ${describePlan(nodes)}`
        const seq = nodes.filter(
          (n) =>
            n['Node Type'].includes('Seq Scan') &&
            ['users', 'api_tokens'].includes(n['Relation Name'] ?? ''),
        )
        expect(
          seq.map((n) => n['Relation Name']),
          text,
        ).toEqual([])
        expect(nodes.filter((n) => n['Node Type'] === 'Hash Join').length, text).toBe(0)
        expect(indexesOf(nodes), text).toContain('users_pkey')
        expect(indexesOf(nodes), text).toContain('api_tokens_secret_hash_key')
      }
      await reserved.unsafe(`deallocate ${name}`)
    } finally {
      reserved.release()
    }
  })
})
