import { eq } from 'drizzle-orm'
import type { UpdateProjectBody } from '../../contract/index.js'
import { projects } from '../../db/schema/index.js'
import { diff, recordActivity } from '../activity/record.js'
import type { ServiceContext } from '../context.js'
import { accessOf, assertCanManage, findVisibleProject } from '../workspace/access.js'
import { presentProject } from './present.js'

export async function updateProject({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { project: string; patch: UpdateProjectBody }
}) {
  const access = accessOf(ctx.actor)
  return ctx.db.transaction(async (tx) => {
    const before = await findVisibleProject(tx, access, input.project, true)
    assertCanManage(access, before.myRole)
    const changes = diff(before as unknown as Record<string, unknown>, input.patch)
    if (Object.keys(changes).length === 0) return presentProject(before)
    const [after] = await tx
      .update(projects)
      .set({ ...input.patch, updatedAt: new Date() })
      .where(eq(projects.id, before.id))
      .returning()
    if (!after) throw new Error('update returned no row')
    const action =
      'archived' in changes
        ? after.archived
          ? 'project.archived'
          : 'project.unarchived'
        : 'project.updated'
    await recordActivity(tx, ctx.actor, {
      action,
      target: { type: 'project', id: after.id, label: after.key },
      projectId: after.id,
      changes,
    })
    return presentProject({ ...after, myRole: before.myRole })
  })
}
