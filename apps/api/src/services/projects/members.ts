import { and, asc, count, eq } from 'drizzle-orm'
import type { ProjectMember, ProjectRole } from '../../contract/index.js'
import type { Executor } from '../../db/client.js'
import { projectMembers, users } from '../../db/schema/index.js'
import { badRequest, notFound } from '../../lib/errors.js'
import { recordActivity } from '../activity/record.js'
import type { ServiceContext } from '../context.js'
import { findUserByEmail, findUserById } from '../users/find.js'
import { accessOf, assertCanManage, findVisibleProject } from '../workspace/access.js'

export async function listMembers({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { project: string }
}) {
  const project = await findVisibleProject(ctx.db, accessOf(ctx.actor), input.project)
  const rows = await ctx.db
    .select({
      member: projectMembers,
      user: { id: users.id, email: users.email, name: users.name },
    })
    .from(projectMembers)
    .innerJoin(users, eq(users.id, projectMembers.userId))
    .where(eq(projectMembers.projectId, project.id))
    .orderBy(asc(users.name), asc(users.email))
  return rows.map(
    (r): ProjectMember => ({
      user: r.user,
      role: r.member.role,
      addedAt: r.member.createdAt.toISOString(),
    }),
  )
}

/** An owner may leave or step down only while another owner remains. */
async function assertAnotherOwner(tx: Executor, projectId: string) {
  const [owners] = await tx
    .select({ n: count() })
    .from(projectMembers)
    .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.role, 'owner')))
  if ((owners?.n ?? 0) <= 1) throw badRequest('last_owner', 'A project needs at least one owner.')
}

/** Adds a user to a project, or changes their role there. */
export async function addMember({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: {
    project: string
    userId?: string | undefined
    email?: string | undefined
    role: ProjectRole
  }
}) {
  const access = accessOf(ctx.actor)
  return ctx.db.transaction(async (tx) => {
    const project = await findVisibleProject(tx, access, input.project, true)
    assertCanManage(access, project.myRole)
    const user = input.userId
      ? await findUserById(tx, input.userId)
      : await findUserByEmail(tx, input.email ?? '')
    if (!user) throw notFound('User')
    const [existing] = await tx
      .select()
      .from(projectMembers)
      .where(and(eq(projectMembers.projectId, project.id), eq(projectMembers.userId, user.id)))
    if (existing?.role === input.role) return
    if (existing?.role === 'owner') await assertAnotherOwner(tx, project.id)
    await tx
      .insert(projectMembers)
      .values({ projectId: project.id, userId: user.id, role: input.role })
      .onConflictDoUpdate({
        target: [projectMembers.projectId, projectMembers.userId],
        set: { role: input.role },
      })
    await recordActivity(tx, ctx.actor, {
      action: existing ? 'project.member_role_changed' : 'project.member_added',
      target: { type: 'project', id: project.id, label: project.key },
      projectId: project.id,
      changes: { [user.email]: { before: existing?.role ?? null, after: input.role } },
    })
  })
}

export async function removeMember({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { project: string; userId: string }
}) {
  const access = accessOf(ctx.actor)
  return ctx.db.transaction(async (tx) => {
    const project = await findVisibleProject(tx, access, input.project, true)
    assertCanManage(access, project.myRole)
    const where = and(
      eq(projectMembers.projectId, project.id),
      eq(projectMembers.userId, input.userId),
    )
    const [member] = await tx
      .select({ role: projectMembers.role, email: users.email })
      .from(projectMembers)
      .innerJoin(users, eq(users.id, projectMembers.userId))
      .where(where)
    if (!member) throw notFound('Member')
    if (member.role === 'owner') await assertAnotherOwner(tx, project.id)
    await tx.delete(projectMembers).where(where)
    await recordActivity(tx, ctx.actor, {
      action: 'project.member_removed',
      target: { type: 'project', id: project.id, label: project.key },
      projectId: project.id,
      changes: { [member.email]: { before: member.role, after: null } },
    })
  })
}
