import { and, eq } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { projectMembers } from '../../db/schema/index.js'
import { badRequest } from '../../lib/errors.js'
import { isUuid } from '../../lib/ids.js'
import { findUserByEmail, findUserById } from '../users/find.js'

/** Resolves "me", an email or a user id to a user; null/undefined pass through. */
export async function resolveUser(db: Executor, ref: string, meId: string) {
  if (ref === 'me') return findUserById(db, meId)
  if (isUuid(ref)) return findUserById(db, ref)
  return findUserByEmail(db, ref)
}

/** The user a task may be assigned to: a member of its project. */
export async function resolveAssignee(db: Executor, projectId: string, ref: string, meId: string) {
  const user = await resolveUser(db, ref, meId)
  if (!user) throw badRequest('assignee_not_found', `No user matches "${ref}".`)
  const [member] = await db
    .select({ userId: projectMembers.userId })
    .from(projectMembers)
    .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, user.id)))
  if (!member) {
    throw badRequest(
      'assignee_not_member',
      `${user.email} is not a member of this project; add them first.`,
    )
  }
  return user
}
