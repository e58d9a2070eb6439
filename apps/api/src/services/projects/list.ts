import { and, asc, eq, gt, type SQL, sql } from 'drizzle-orm'
import type { Project, ProjectRole } from '../../contract/index.js'
import { projectMembers, projects } from '../../db/schema/index.js'
import { invalidCursor } from '../../lib/cursor.js'
import type { ServiceContext } from '../context.js'
import { accessOf, visibleProjects } from '../workspace/access.js'
import { presentProject } from './present.js'

function selectProjects(ctx: ServiceContext, where: SQL | undefined) {
  const access = accessOf(ctx.actor)
  return ctx.db
    .select({ project: projects, myRole: projectMembers.role })
    .from(projects)
    .leftJoin(
      projectMembers,
      and(eq(projectMembers.projectId, projects.id), eq(projectMembers.userId, access.userId)),
    )
    .where(and(visibleProjects(access), where))
}

type ProjectSelection = Awaited<ReturnType<typeof selectProjects>>[number]

const present = (r: ProjectSelection) =>
  presentProject({ ...r.project, myRole: (r.myRole ?? null) as ProjectRole | null })

/** The projects the actor can see, by key. */
export async function listProjects({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { includeArchived?: boolean | undefined }
}): Promise<Project[]> {
  const rows = await selectProjects(
    ctx,
    input.includeArchived ? undefined : eq(projects.archived, false),
  ).orderBy(asc(projects.key))
  return rows.map(present)
}

/** Where a page of projects stopped: the last key of the page (keys are upper-case, unique). */
const encodeProjectCursor = (key: string) => Buffer.from(`k${key}`).toString('base64url')

function decodeProjectCursor(cursor: string): string {
  const match = /^k([A-Z][A-Z0-9]{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  if (!match?.[1]) throw invalidCursor()
  return match[1]
}

/**
 * One page of the projects the actor can see, by key, for clients that must not get them all at
 * once (MCP's list_projects and resources/list). Ordered by `upper(key)`, the expression of the
 * unique index projects_key_key, so a page continues from the cursor's key in that index.
 */
export async function listProjectsPage({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { includeArchived?: boolean | undefined; cursor?: string | undefined; limit: number }
}): Promise<{ projects: Project[]; nextCursor: string | null }> {
  const key = sql`upper(${projects.key})`
  const rows = await selectProjects(
    ctx,
    and(
      input.includeArchived ? undefined : eq(projects.archived, false),
      input.cursor ? gt(key, decodeProjectCursor(input.cursor)) : undefined,
    ),
  )
    .orderBy(asc(key))
    .limit(input.limit + 1)
  const page = rows.slice(0, input.limit)
  const last = page.at(-1)
  return {
    projects: page.map(present),
    nextCursor:
      rows.length > input.limit && last
        ? encodeProjectCursor(last.project.key.toUpperCase())
        : null,
  }
}
