import { and, asc, eq } from 'drizzle-orm'
import type { Project, ProjectRole } from '../../contract/index.js'
import { projectMembers, projects } from '../../db/schema/index.js'
import type { ServiceContext } from '../context.js'
import { accessOf, visibleProjects } from '../workspace/access.js'
import { presentProject } from './present.js'

/** The projects the actor can see, by key. */
export async function listProjects({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { includeArchived?: boolean | undefined }
}): Promise<Project[]> {
  const access = accessOf(ctx.actor)
  const rows = await ctx.db
    .select({ project: projects, myRole: projectMembers.role })
    .from(projects)
    .leftJoin(
      projectMembers,
      and(eq(projectMembers.projectId, projects.id), eq(projectMembers.userId, access.userId)),
    )
    .where(
      and(
        visibleProjects(access),
        input.includeArchived ? undefined : eq(projects.archived, false),
      ),
    )
    .orderBy(asc(projects.key))
  return rows.map((r) =>
    presentProject({ ...r.project, myRole: (r.myRole ?? null) as ProjectRole | null }),
  )
}
