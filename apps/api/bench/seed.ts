/**
 * Bulk data for `pnpm bench --scale`, written with set-based SQL (generate_series) straight into a
 * migrated database: users, projects, tasks with prose-like text, activity, API tokens and a
 * console session. Secondary indexes are dropped while a big table fills and built again after,
 * which is several times faster than maintaining them row by row; whatever indexes the migrations
 * define are the ones rebuilt.
 */
import { createHash, randomBytes } from 'node:crypto'
import { generateToken, tokenDisplayPrefix } from '@tessera/core'
import postgres from 'postgres'

export interface ScaleSize {
  label: string
  /** Tasks in the one big project, BENCH. */
  tasks: number
  activity: number
  /** API tokens in all; 1,001 of them usable (their secrets are known). */
  tokens: number
}

export interface Seeded {
  projectKey: string
  /** A token of the member the latency cases act as. */
  memberToken: string
  /** 1,000 tokens of 1,000 other members of BENCH. */
  tokens: string[]
  /** Console session cookie value of an administrator. */
  adminSession: string
  /** In the description of 0.1% of BENCH's tasks. */
  rareTerm: string
  /** In no task. */
  missingTerm: string
  seconds: number
}

/** Users besides the member and the admin; each holds one of the usable tokens. */
const TOKEN_USERS = 1_000
const OTHER_PROJECTS = 19
const TASKS_PER_OTHER_PROJECT = 500
const RARE_TERM = 'zeppelin'
const MISSING_TERM = 'quixotry'

const sha256Hex = (value: string) => createHash('sha256').update(value).digest('hex')

// Words of the kind task trackers are full of, so search sees realistic term frequencies.
const WORDS = `the a to of and in for on with when after before from by is are be not should
must can fix add remove update check handle show hide allow move rename refactor migrate test
document review deploy release build load save sync retry cache render parse validate log
login logout page button form field modal dialog menu table list column row filter sort search
query index database schema migration endpoint request response header token session cookie
user account admin member project task comment activity report dashboard chart export import
file upload download image avatar email notification webhook queue worker job timeout error
warning crash bug regression issue performance memory latency throughput slow fast large empty
null missing duplicate wrong broken flaky stale invalid expired locked mobile desktop browser
layout style color font spacing dark mode theme icon tooltip label placeholder link redirect
api client server proxy network connection retry backoff limit quota billing invoice payment
plan customer team settings permission role policy audit security password reset signup
onboarding tutorial docs readme changelog version upgrade dependency library package bundle
script config environment variable secret key certificate domain dns cluster node container
image pipeline ci staging production rollback hotfix feature flag experiment metric alert
monitoring trace span dashboard storage backup restore archive delete create edit view open
close assign unassign estimate priority status due date week sprint milestone roadmap`
  .split(/\s+/)
  .filter(Boolean)

/** Deterministic pseudo-random numbers (mulberry32), so every run seeds the same text. */
function random(seed: number) {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

function phrase(next: () => number, min: number, max: number) {
  const length = min + Math.floor(next() * (max - min + 1))
  const words = Array.from({ length }, () => WORDS[Math.floor(next() * WORDS.length)] as string)
  return words.join(' ')
}

const SENTENCES = 4_000
const TITLES = 3_000

async function textPools(sql: postgres.Sql) {
  const next = random(42)
  const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)
  const sentences = Array.from({ length: SENTENCES }, (_, i) => ({
    i,
    text: i % 7 === 0 ? `- ${phrase(next, 4, 9)}` : `${capital(phrase(next, 8, 18))}.`,
  }))
  const titles = Array.from({ length: TITLES }, (_, i) => ({
    i,
    text: capital(phrase(next, 3, 8)),
  }))
  await sql`create temp table bench_sentences (i int primary key, text text not null)`
  await sql`create temp table bench_titles (i int primary key, text text not null)`
  await sql`insert into bench_sentences select * from json_to_recordset(${JSON.stringify(sentences)}::text::json) as t(i int, text text)`
  await sql`insert into bench_titles select * from json_to_recordset(${JSON.stringify(titles)}::text::json) as t(i int, text text)`
}

/** Drops the table's indexes that no constraint owns, runs `fill`, then builds them again. */
async function withoutSecondaryIndexes(
  sql: postgres.Sql,
  table: string,
  fill: () => Promise<void>,
) {
  const indexes = await sql<{ name: string; def: string }[]>`
    select c.relname as name, pg_get_indexdef(i.indexrelid) as def
    from pg_index i join pg_class c on c.oid = i.indexrelid
    where i.indrelid = ${table}::regclass
      and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)`
  for (const index of indexes) await sql.unsafe(`drop index "${index.name}"`)
  await fill()
  for (const index of indexes) await sql.unsafe(index.def)
}

async function insertTasks(
  sql: postgres.Sql,
  projectId: string,
  count: number,
  salt: number,
  withRareTerm: boolean,
) {
  // Numbers 1..count, oldest first, over the last two years; text from the pools; 70% assigned
  // among 50 users; the rare term in one description in a thousand.
  await sql`
    insert into tasks (project_id, number, title, description, status, priority, assignee_id,
                       due_date, created_by_id, created_at, updated_at)
    select ${projectId}::uuid, g,
      t.text,
      s1.text || ' ' || s2.text || e'\n\n' || s3.text ||
        case when ${withRareTerm} and g % 1000 = 7
          then ' The ' || ${RARE_TERM}::text || ' adapter needs a look.' else '' end,
      (array['todo','in_progress','done'])[1 + g % 3],
      (array['none','low','medium','high','urgent'])[1 + (g / 3) % 5],
      case when g % 10 < 7 then a.id end,
      case when g % 4 = 0 then date '2026-01-01' + (g % 365) end,
      c.id,
      now() - interval '730 days' + (g * (interval '730 days' / ${count})),
      now() - interval '730 days' + (g * (interval '730 days' / ${count})) + (g % 97) * interval '1 hour'
    from generate_series(1, ${count}::int) g
    join bench_titles t on t.i = (g * 7 + ${salt}) % ${TITLES}
    join bench_sentences s1 on s1.i = (g + ${salt}) % ${SENTENCES}
    join bench_sentences s2 on s2.i = (g * 31 + 7 + ${salt}) % ${SENTENCES}
    join bench_sentences s3 on s3.i = (g * 17 + 3 + ${salt}) % ${SENTENCES}
    join bench_users a on a.i = g % 50
    join bench_users c on c.i = g % 7
    order by g`
  await sql`update projects set next_task_number = ${count + 1} where id = ${projectId}::uuid`
}

/** Fills a migrated, empty database. */
export async function seed(url: string, size: ScaleSize): Promise<Seeded> {
  const started = performance.now()
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    await sql`set maintenance_work_mem = '512MB'`
    await sql`set work_mem = '256MB'`
    await sql`set synchronous_commit = off`
    await textPools(sql)

    // bench_users.i: 0 = the member the latency cases act as, 1 = an administrator, 2.. = holders
    // of the usable tokens.
    const users = await sql<{ id: string; i: number }[]>`
      insert into users (email, name, password_hash, role)
      select 'user' || g || '@bench.test', 'User ' || g, 'not-a-password-hash',
             case when g = 1 then 'admin' else 'member' end
      from generate_series(0, ${TOKEN_USERS + 1}::int) g
      returning id, (regexp_match(email, '\\d+'))[1]::int as i`
    await sql`create temp table bench_users (i int primary key, id uuid not null)`
    await sql`insert into bench_users select * from json_to_recordset(${JSON.stringify(users)}::text::json) as t(i int, id uuid)`

    const [bench] = await sql<{ id: string }[]>`
      insert into projects (key, name, description) values ('BENCH', 'Bench', 'The big one')
      returning id`
    if (!bench) throw new Error('no project')
    await sql`create temp table bench_projects (i int primary key, id uuid not null)`
    await sql`
      with made as (
        insert into projects (key, name, description)
        select 'P' || lpad(g::text, 2, '0'), 'Project ' || g, ''
        from generate_series(1, ${OTHER_PROJECTS}::int) g
        returning id, key)
      insert into bench_projects select substr(key, 2)::int - 1, id from made`
    // The member and every token holder are in BENCH; the member also in four other projects.
    await sql`
      insert into project_members (project_id, user_id, role)
      select ${bench.id}::uuid, id, case when i = 0 then 'owner' else 'member' end
      from bench_users where i <> 1`
    await sql`
      insert into project_members (project_id, user_id)
      select p.id, u.id from bench_projects p, bench_users u where p.i < 4 and u.i = 0`

    await withoutSecondaryIndexes(sql, 'tasks', async () => {
      await insertTasks(sql, bench.id, size.tasks, 0, true)
      const others = await sql<{ id: string; i: number }[]>`select id, i from bench_projects`
      for (const project of others) {
        await insertTasks(sql, project.id, TASKS_PER_OTHER_PROJECT, project.i * 101, false)
      }
    })

    // 60% in BENCH, 30% in the other projects, 10% account-level (tokens, profiles).
    await withoutSecondaryIndexes(sql, 'activity', async () => {
      await sql`
        insert into activity (at, actor_id, via, project_id, action, target_type, target_id,
                              target_label, changes)
        select now() - interval '365 days' + g * (interval '365 days' / ${size.activity}),
          u.id,
          (array['web','api','mcp','cli'])[1 + g % 4],
          case when g % 10 < 6 then ${bench.id}::uuid when g % 10 < 9 then p.id end,
          case when g % 10 = 9 then (array['token.created','token.revoked','user.updated'])[1 + (g / 10) % 3]
               else (array['task.created','task.updated','task.updated','comment.added'])[1 + (g / 10) % 4] end,
          case when g % 10 = 9 then (array['token','token','user'])[1 + (g / 10) % 3]
               when (g / 10) % 4 = 3 then 'comment' else 'task' end,
          md5(g::text)::uuid::text,
          'BENCH-' || (1 + g % ${size.tasks}),
          case when g % 10 < 9 and (g / 10) % 4 in (1, 2)
               then jsonb_build_object('status', jsonb_build_object('before', 'todo', 'after', 'in_progress')) end
        from generate_series(1, ${size.activity}::int) g
        join bench_users u on u.i = g % ${TOKEN_USERS + 2}
        join bench_projects p on p.i = g % ${OTHER_PROJECTS}
        order by g`
    })

    const memberToken = generateToken()
    const tokens = Array.from({ length: TOKEN_USERS }, () => generateToken())
    const usable = [memberToken, ...tokens].map((secret, i) => ({
      i: i === 0 ? 0 : i + 1,
      name: i === 0 ? 'bench' : `agent ${i}`,
      secret_hash: sha256Hex(secret),
      prefix: tokenDisplayPrefix(secret),
    }))
    await withoutSecondaryIndexes(sql, 'api_tokens', async () => {
      const filler = Math.max(0, size.tokens - usable.length)
      // Older tokens of every holder: some read-only, some expiring, some revoked, most used.
      await sql`
        insert into api_tokens (user_id, name, secret_hash, prefix, scopes, lifetime_days,
                                created_at, expires_at, last_used_at, revoked_at)
        select u.id,
          (array['laptop','ci','mcp','vscode','deploy','backup'])[1 + g % 6] || ' ' || g,
          encode(sha256(('filler-' || g)::bytea), 'hex'),
          'tsr_' || substr(md5(g::text), 1, 6),
          case when g % 5 = 0 then '{read}'::text[] else '{read,write}'::text[] end,
          case when g % 3 = 0 then 90 end,
          now() - interval '730 days' + g * (interval '729 days' / greatest(${filler}, 1)),
          case when g % 3 = 0 then now() - interval '640 days' + g * (interval '729 days' / greatest(${filler}, 1)) end,
          case when g % 4 <> 0 then now() - (g % 1000) * interval '1 hour' end,
          case when g % 10 = 0 then now() - (g % 100) * interval '1 day' end
        from generate_series(1, ${filler}::int) g
        join bench_users u on u.i = 2 + g % ${TOKEN_USERS}
        order by g`
      await sql`
        insert into api_tokens (user_id, name, secret_hash, prefix, scopes, created_at)
        select u.id, t.name, t.secret_hash, t.prefix, '{read,write}', now() - interval '1 day'
        from json_to_recordset(${JSON.stringify(usable)}::text::json)
          as t(i int, name text, secret_hash text, prefix text)
        join bench_users u on u.i = t.i`
    })

    const adminSession = randomBytes(32).toString('base64url')
    await sql`
      insert into sessions (user_id, secret_hash, expires_at)
      select id, ${sha256Hex(adminSession)}, now() + interval '1 day' from bench_users where i = 1`

    // Statistics and the visibility map, as a database that has been running a while has them.
    await sql`vacuum analyze`
    return {
      projectKey: 'BENCH',
      memberToken,
      tokens,
      adminSession,
      rareTerm: RARE_TERM,
      missingTerm: MISSING_TERM,
      seconds: (performance.now() - started) / 1000,
    }
  } finally {
    await sql.end()
  }
}
