import { and, asc, eq, ilike, or } from 'drizzle-orm'
import { projectMembers, projects, users } from '../../db/schema/index.js'
import { escapeLike } from '../../lib/like.js'
import type { ServiceContext } from '../context.js'
import { accessOf, visibleProjects } from '../workspace/access.js'

/**
 * People a task can be assigned to, for completing what a user types (MCP `completion/complete`):
 * `me`, then the emails of the members of the projects the actor can see whose email starts with
 * the text or whose name contains it. One query: the visible projects' members
 * (project_members' primary key), their users by primary key; nobody from a project the actor
 * cannot see is ever listed.
 */
export async function completeAssignees({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { text: string; limit: number }
}): Promise<{ values: string[]; hasMore: boolean }> {
  const text = input.text.trim()
  const me = 'me'.startsWith(text.toLowerCase()) ? ['me'] : []
  const typed = text
    ? or(ilike(users.email, `${escapeLike(text)}%`), ilike(users.name, `%${escapeLike(text)}%`))
    : undefined
  const rows = await ctx.db
    .selectDistinct({ email: users.email })
    .from(projectMembers)
    .innerJoin(projects, eq(projects.id, projectMembers.projectId))
    .innerJoin(users, eq(users.id, projectMembers.userId))
    .where(and(visibleProjects(accessOf(ctx.actor)), eq(users.disabled, false), typed))
    .orderBy(asc(users.email))
    .limit(input.limit + 1 - me.length)
  const values = [...me, ...rows.map((row) => row.email)]
  return { values: values.slice(0, input.limit), hasMore: values.length > input.limit }
}
