import { and, asc, eq, ilike, or, sql } from 'drizzle-orm'
import { projects } from '../../db/schema/index.js'
import { escapeLike } from '../../lib/like.js'
import type { ServiceContext } from '../context.js'
import { accessOf, visibleProjects } from '../workspace/access.js'

/**
 * Project keys for completing what a user types (MCP `completion/complete`): the keys of the
 * projects the actor can see, not archived, that start with the text or whose name contains it,
 * by key. One query over the visible projects (a member's through project_members_user_id_idx).
 */
export async function completeProjectKeys({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { text: string; limit: number }
}): Promise<{ keys: string[]; hasMore: boolean }> {
  const text = input.text.trim()
  const typed = text
    ? or(ilike(projects.key, `${escapeLike(text)}%`), ilike(projects.name, `%${escapeLike(text)}%`))
    : undefined
  const rows = await ctx.db
    .select({ key: projects.key })
    .from(projects)
    .where(and(visibleProjects(accessOf(ctx.actor)), eq(projects.archived, false), typed))
    .orderBy(asc(sql`upper(${projects.key})`))
    .limit(input.limit + 1)
  return {
    keys: rows.slice(0, input.limit).map((row) => row.key),
    hasMore: rows.length > input.limit,
  }
}
