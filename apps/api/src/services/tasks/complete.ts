import { and, asc, desc, eq, gte, ilike, lte, or, type SQL, sql } from 'drizzle-orm'
import { projects, tasks } from '../../db/schema/index.js'
import { escapeLike } from '../../lib/like.js'
import type { ServiceContext } from '../context.js'
import { accessOf, type ProjectAccess, visibleProjects } from '../workspace/access.js'

/*
 * Task references for completing what a user types (MCP `completion/complete`), in one query
 * whatever was typed, each form read through an index:
 *
 * - `WEB-` or `WEB-1`: the project is resolved by its key inside the query (projects_key_key, as
 *   an InitPlan, so the task side filters on `project_id` itself); `WEB-` lists its newest tasks
 *   from tasks_project_id_created_at_idx in order; `WEB-1` the numbers 1, 10-19 and 100-199 from
 *   tasks_project_id_number_key (longer numbers appear as more digits are typed).
 * - a word or a few (`login`, `fix log`): tasks whose title contains every word of three or more
 *   letters, through the trigram index on titles, newest first.
 * - text that could start a key (`WE`, or nothing yet): the newest tasks of each visible project
 *   whose key starts with it, a page deep per project from tasks_project_id_created_at_idx (the
 *   lateral read of the task list across projects). A single word is both this and a title word:
 *   the two are one UNION ALL, key matches first.
 */

const REF_PREFIX = /^([A-Za-z][A-Za-z0-9]{1,9})-(\d{0,9})$/
const KEY_PREFIX = /^[A-Za-z][A-Za-z0-9]{0,9}$/
const WORDS = /[\p{L}\p{N}]{3,}/gu
/** The largest number a reference can carry (nine digits). */
const MAX_NUMBER = 999_999_999

interface Completion {
  refs: string[]
  hasMore: boolean
}

/** The numbers that start with `digits`, up to two more digits: `1` is 1, 10-19, 100-199. */
function numbersStartingWith(digits: string): SQL {
  const start = Number(digits)
  const ranges: SQL[] = [eq(tasks.number, start)]
  for (let width = 10; width <= 100; width *= 10) {
    const low = start * width
    const high = low + width - 1
    if (start === 0 || high > MAX_NUMBER) break
    ranges.push(and(gte(tasks.number, low), lte(tasks.number, high)) as SQL)
  }
  return or(...ranges) as SQL
}

async function byReference(
  ctx: ServiceContext,
  access: ProjectAccess,
  key: string,
  digits: string,
  limit: number,
): Promise<Completion> {
  const project = ctx.db
    .select({ id: projects.id })
    .from(projects)
    .where(and(eq(sql`upper(${projects.key})`, key), visibleProjects(access)))
  const inProject = eq(tasks.projectId, sql`(${project})`)
  const query = ctx.db.select({ number: tasks.number }).from(tasks)
  const rows = digits
    ? await query
        .where(and(inProject, numbersStartingWith(digits)))
        .orderBy(asc(tasks.number))
        .limit(limit + 1)
    : await query
        .where(inProject)
        .orderBy(desc(tasks.createdAt), desc(tasks.id))
        .limit(limit + 1)
  return {
    refs: rows.slice(0, limit).map((row) => `${key}-${row.number}`),
    hasMore: rows.length > limit,
  }
}

/** The newest tasks of the visible projects whose key starts with `prefix` (all when empty). */
function newestInProjects(
  ctx: ServiceContext,
  access: ProjectAccess,
  prefix: string,
  limit: number,
) {
  const newest = ctx.db
    .select({ number: tasks.number, createdAt: tasks.createdAt, id: tasks.id })
    .from(tasks)
    .where(eq(tasks.projectId, projects.id))
    .orderBy(desc(tasks.createdAt), desc(tasks.id))
    .limit(limit)
    .as('newest')
  return ctx.db
    .select({
      branch: sql<number>`1`.as('branch'),
      key: projects.key,
      number: newest.number,
      createdAt: newest.createdAt,
      id: newest.id,
    })
    .from(projects)
    .innerJoinLateral(newest, sql`true`)
    .where(
      and(
        visibleProjects(access),
        prefix ? ilike(projects.key, `${escapeLike(prefix)}%`) : undefined,
      ),
    )
    .orderBy(desc(newest.createdAt), desc(newest.id))
    .limit(limit)
}

/** Tasks of visible projects whose title contains every word, newest first. */
function byTitleWords(ctx: ServiceContext, access: ProjectAccess, words: string[], limit: number) {
  return ctx.db
    .select({
      branch: sql<number>`2`.as('branch'),
      key: projects.key,
      number: tasks.number,
      createdAt: tasks.createdAt,
      id: tasks.id,
    })
    .from(tasks)
    .innerJoin(projects, eq(projects.id, tasks.projectId))
    .where(
      and(
        visibleProjects(access),
        ...words.map((word) => ilike(tasks.title, `%${escapeLike(word)}%`)),
      ),
    )
    .orderBy(desc(tasks.createdAt), desc(tasks.id))
    .limit(limit)
}

/**
 * References (`WEB-12`) of tasks the actor can see that match what was typed: a reference's
 * start, a key's start, or words of the title. At most `limit`, and whether there are more.
 */
export async function completeTaskRefs({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { text: string; limit: number }
}): Promise<Completion> {
  const access = accessOf(ctx.actor)
  const text = input.text.trim()
  const reference = REF_PREFIX.exec(text)
  if (reference) {
    return byReference(
      ctx,
      access,
      (reference[1] ?? '').toUpperCase(),
      reference[2] ?? '',
      input.limit,
    )
  }
  // One more than asked for, so that a full page says whether there is more.
  const limit = input.limit + 1
  const words = [...new Set((text.match(WORDS) ?? []).map((w) => w.toLowerCase()))].slice(0, 5)
  const byKey = text === '' || KEY_PREFIX.test(text)
  let rows: { branch: number; key: string; number: number; createdAt: Date; id: string }[]
  if (byKey && words.length) {
    rows = await newestInProjects(ctx, access, text, limit).unionAll(
      byTitleWords(ctx, access, words, limit),
    )
  } else if (byKey) {
    rows = await newestInProjects(ctx, access, text, limit)
  } else if (words.length) {
    rows = await byTitleWords(ctx, access, words, limit)
  } else {
    return { refs: [], hasMore: false }
  }
  // Key matches first, then title matches, each newest first (UNION ALL promises no order).
  const ordered = rows
    .map((row) => ({ ...row, branch: Number(row.branch) }))
    .sort(
      (a, b) =>
        a.branch - b.branch ||
        b.createdAt.getTime() - a.createdAt.getTime() ||
        (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
    )
  const refs = [...new Set(ordered.map((row) => `${row.key}-${row.number}`))]
  const fullBranch = [1, 2].some((b) => ordered.filter((row) => row.branch === b).length >= limit)
  return { refs: refs.slice(0, input.limit), hasMore: refs.length > input.limit || fullBranch }
}
