import { eq, sql } from 'drizzle-orm'
import { projectMembers, projects } from '../../db/schema/index.js'
import { conflict, forbidden } from '../../lib/errors.js'
import { isUniqueViolation } from '../../lib/pg-errors.js'
import { recordActivity } from '../activity/record.js'
import type { ServiceContext } from '../context.js'
import { accessOf } from '../workspace/access.js'
import { presentProject } from './present.js'

/** Creates a project; its creator becomes its owner. */
export async function createProject({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { key: string; name: string; description: string }
}) {
  const access = accessOf(ctx.actor)
  if (access.onlyKeys) {
    throw forbidden(
      'insufficient_scope',
      'This token is limited to some projects and cannot create new ones.',
    )
  }
  const taken = () =>
    conflict('project_key_taken', `A project with key ${input.key} already exists.`)
  return ctx.db.transaction(async (tx) => {
    const [existing] = await tx
      .select({ id: projects.id })
      .from(projects)
      .where(eq(sql`upper(${projects.key})`, input.key.toUpperCase()))
    if (existing) throw taken()
    const row = await tx
      .insert(projects)
      .values({ key: input.key.toUpperCase(), name: input.name, description: input.description })
      .returning()
      .then(
        (rows) => rows[0],
        (error) => {
          throw isUniqueViolation(error) ? taken() : error
        },
      )
    if (!row) throw new Error('insert returned no row')
    await tx
      .insert(projectMembers)
      .values({ projectId: row.id, userId: access.userId, role: 'owner' })
    await recordActivity(tx, ctx.actor, {
      action: 'project.created',
      target: { type: 'project', id: row.id, label: row.key },
      projectId: row.id,
      changes: { name: { before: null, after: row.name } },
    })
    return presentProject({ ...row, myRole: 'owner' })
  })
}
