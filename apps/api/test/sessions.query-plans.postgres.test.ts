import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import type { DatabaseConfig } from '../src/db/client.js'
import {
  buildTestApp,
  createTestUser,
  isolatedDatabaseConfig,
  type Session,
  signIn,
} from './helper.js'
import { describePlan, explain, type PlanNode } from './query-plans.js'

/*
 * The plans PostgreSQL picks for the account's session queries on a database with 40,000 console
 * sessions of 2,000 people. A person's own sessions are a handful (they expire after 7 days and
 * expired ones are cleared at sign-in), so their list is read through the user index and sorted
 * there; what must never happen is a read of every session.
 */

const OTHER_USERS = 2_000
const SESSIONS = 40_000

let app: App
let sql: postgres.Sql
const captured: { query: string; params: unknown[] }[] = []
let user: { id: string; email: string }
let here: Session

/** Every query touching `sessions` that the request sent, with its plan. */
async function sessionQueriesOf(request: () => Promise<{ statusCode: number; body: string }>) {
  captured.length = 0
  const res = await request()
  expect(res.statusCode, res.body).toBeLessThan(300)
  const plans = []
  for (const { query, params } of captured) {
    if (!query.includes('"sessions"') && !query.includes(' sessions ')) continue
    const nodes = await explain(sql, query, params)
    plans.push({ query, nodes, text: `${query}\n${describePlan(nodes)}` })
  }
  expect(plans.length).toBeGreaterThan(0)
  return plans
}

function expectNoSequentialRead(plans: { nodes: PlanNode[]; text: string }[]) {
  for (const plan of plans) {
    const seq = plan.nodes.filter(
      (n) => n['Node Type'].includes('Seq Scan') && n['Relation Name'] === 'sessions',
    )
    expect(seq, plan.text).toEqual([])
  }
}

const usesIndex = (plans: { nodes: PlanNode[] }[], index: string) =>
  plans.some((plan) => plan.nodes.some((n) => n['Index Name'] === index))

beforeAll(async () => {
  const config = (await isolatedDatabaseConfig()) as DatabaseConfig & { url: string }
  sql = postgres(config.url, { max: 1, onnotice: () => {} })
  app = await buildTestApp({
    database: {
      ...config,
      logger: { logQuery: (query, params) => captured.push({ query, params }) },
    },
  })
  user = await createTestUser(app)
  here = await signIn(app, user)
  for (let i = 0; i < 4; i += 1) await signIn(app, user)
  await sql.unsafe(`
    insert into users (email, name, password_hash)
    select 'plan-user-' || g || '@example.test', 'User ' || g, 'not-a-hash'
    from generate_series(1, ${OTHER_USERS}) g`)
  await sql.unsafe(`
    with people as (select array_agg(id) ids from users where email like 'plan-user-%')
    insert into sessions (user_id, secret_hash, created_at, expires_at, last_seen_at, ip, user_agent)
    select people.ids[1 + g % ${OTHER_USERS}], md5('plan' || g) || md5('session' || g),
      now() - interval '6 days', now() + interval '1 day', now() - (g % 5000) * interval '1 minute',
      '192.0.2.' || (g % 250), 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0'
    from generate_series(1, ${SESSIONS}) g, people`)
  await sql.unsafe('vacuum analyze')
}, 180_000)

afterAll(async () => {
  await sql?.end()
  await app?.close()
})

describe('session query plans at scale (PostgreSQL)', () => {
  it("a request's session lookup reads the secret hash index", async () => {
    const plans = await sessionQueriesOf(() =>
      app.inject({ method: 'GET', url: '/api/v1/me', headers: here.headers }),
    )
    expectNoSequentialRead(plans)
    expect(usesIndex(plans, 'sessions_secret_hash_key'), plans.map((p) => p.text).join('\n')).toBe(
      true,
    )
  })

  it("your session list reads only your sessions, through the user's index", async () => {
    const plans = await sessionQueriesOf(() =>
      app.inject({ method: 'GET', url: '/api/v1/me/sessions', headers: here.headers }),
    )
    expectNoSequentialRead(plans)
    expect(usesIndex(plans, 'sessions_user_id_idx'), plans.map((p) => p.text).join('\n')).toBe(true)
  })

  it("signing out the others and an admin's required change end sessions through the user's index", async () => {
    const others = await sessionQueriesOf(() =>
      app.inject({ method: 'DELETE', url: '/api/v1/me/sessions', headers: here.headers }),
    )
    expectNoSequentialRead(others)
    expect(usesIndex(others, 'sessions_user_id_idx')).toBe(true)

    const admin = await signIn(app, await createTestUser(app, 'admin'))
    const required = await sessionQueriesOf(() =>
      app.inject({
        method: 'POST',
        url: `/api/v1/admin/users/${user.id}/require-password-change`,
        headers: admin.headers,
      }),
    )
    expectNoSequentialRead(required)
    expect(usesIndex(required, 'sessions_user_id_idx')).toBe(true)
  })

  it('the batched last-seen write finds each session by its primary key', async () => {
    const person = await createTestUser(app)
    const someone = await signIn(app, person)
    // Last seen two minutes ago: the next request queues a write.
    await sql`update sessions set last_seen_at = now() - interval '2 minutes' where user_id = ${person.id}`
    await app.inject({ method: 'GET', url: '/api/v1/me', headers: someone.headers })
    captured.length = 0
    await app.sessionLastSeen.flush()
    const update = captured.find(({ query }) => query.includes('update sessions'))
    if (!update) throw new Error('no last-seen write was sent')
    const nodes = await explain(sql, update.query, update.params)
    const text = `${update.query}\n${describePlan(nodes)}`
    expect(
      nodes.filter((n) => n['Node Type'].includes('Seq Scan') && n['Relation Name'] === 'sessions'),
      text,
    ).toEqual([])
    expect(
      nodes.some((n) => n['Index Name'] === 'sessions_pkey'),
      text,
    ).toBe(true)
  })
})
