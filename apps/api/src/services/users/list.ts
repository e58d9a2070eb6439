import { asc, count } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { users } from '../../db/schema/index.js'

export async function listUsers({ db }: { db: Db }) {
  return db.select().from(users).orderBy(asc(users.createdAt), asc(users.id))
}

export async function countUsers(db: Db) {
  const [row] = await db.select({ n: count() }).from(users)
  return row?.n ?? 0
}
