import { projectRestriction } from '@tessera/core'
import { and, eq, exists, inArray, type SQL, sql } from 'drizzle-orm'
import type { ProjectRole } from '../../contract/index.js'
import type { Executor } from '../../db/client.js'
import { projectMembers, projects } from '../../db/schema/index.js'
import { forbidden, notFound } from '../../lib/errors.js'
import { isUuid } from '../../lib/ids.js'
import type { Actor } from '../context.js'

/**
 * What part of the workspace an actor can reach: admins every project, members the projects they
 * belong to; a token's `project:KEY` scopes narrow either to those projects.
 */
export interface ProjectAccess {
  userId: string
  isAdmin: boolean
  /** Upper-case project keys the token is limited to; null = no restriction. */
  onlyKeys: string[] | null
}

export function accessOf(actor: Actor): ProjectAccess {
  return {
    userId: actor.user.id,
    isAdmin: actor.user.role === 'admin',
    onlyKeys: projectRestriction(actor.token?.scopes ?? []),
  }
}

/** SQL condition on `projects` for the projects this access can see. */
export function visibleProjects(access: ProjectAccess): SQL | undefined {
  const conditions: SQL[] = []
  if (!access.isAdmin) {
    conditions.push(
      exists(
        sql`(select 1 from ${projectMembers} where ${projectMembers.projectId} = ${projects.id} and ${projectMembers.userId} = ${access.userId})`,
      ),
    )
  }
  if (access.onlyKeys) {
    // A malformed restriction matches nothing rather than everything.
    conditions.push(
      access.onlyKeys.length ? inArray(sql`upper(${projects.key})`, access.onlyKeys) : sql`false`,
    )
  }
  return conditions.length ? and(...conditions) : undefined
}

/**
 * The ids of the projects this access can see, or null for all of them (an administrator without
 * a project restriction). Read first by list queries that then filter on their own `project_id`
 * column with values the planner knows, instead of joining through `projects` for every row.
 */
export async function visibleProjectIds(
  db: Executor,
  access: ProjectAccess,
): Promise<string[] | null> {
  const condition = visibleProjects(access)
  if (!condition) return null
  const rows = await db.select({ id: projects.id }).from(projects).where(condition)
  return rows.map((row) => row.id)
}

/** Matches a project by id or by key (case-insensitive). */
export function projectRefCondition(ref: string): SQL {
  return isUuid(ref)
    ? eq(projects.id, ref)
    : eq(sql`upper(${projects.key})`, ref.trim().toUpperCase())
}

/**
 * A project the actor can see, with their role in it. Anything else, including projects that
 * exist but are not theirs, is 404.
 */
export async function findVisibleProject(
  db: Executor,
  access: ProjectAccess,
  ref: string,
  lock = false,
) {
  const query = db
    .select({ project: projects, myRole: projectMembers.role })
    .from(projects)
    .leftJoin(
      projectMembers,
      and(eq(projectMembers.projectId, projects.id), eq(projectMembers.userId, access.userId)),
    )
    .where(and(projectRefCondition(ref), visibleProjects(access)))
    .limit(1)
  const [row] = lock ? await query.for('update', { of: projects }) : await query
  if (!row) throw notFound('Project')
  return { ...row.project, myRole: (row.myRole ?? null) as ProjectRole | null }
}

/** Owners of a project and admins manage it (settings, members). */
export function assertCanManage(access: ProjectAccess, myRole: ProjectRole | null) {
  if (!access.isAdmin && myRole !== 'owner') {
    throw forbidden('project_permission_denied', 'Only the project owner or an admin can do this.')
  }
}

/** Changes need a project that is not archived. */
export function assertNotArchived(project: { archived: boolean; key: string }) {
  if (project.archived) {
    throw forbidden('project_archived', `Project ${project.key} is archived; unarchive it first.`)
  }
}
