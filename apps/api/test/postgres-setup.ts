import { randomBytes } from 'node:crypto'
import postgres from 'postgres'
import type { TestProject } from 'vitest/node'

/**
 * Creates a fresh database on the PostgreSQL server for this run and drops it afterwards, so a run
 * never depends on what an earlier one left behind. Fails loudly when no server is reachable.
 * Databases that single tests create for themselves (`<run database>_<suffix>`, see
 * `isolatedDatabaseConfig` in helper.ts) are dropped with it.
 */
export default async function setup(project: TestProject) {
  const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
  const name = `tessera_test_${randomBytes(6).toString('hex')}`
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 })
  try {
    await admin.unsafe(`create database ${name}`)
  } catch (error) {
    await admin.end()
    throw new Error(
      `The PostgreSQL test suite needs a server at ${serverUrl.replace(/:[^:@/]*@/, ':***@')} ` +
        `(set TEST_DATABASE_URL to change it): ${(error as Error).message}`,
    )
  }
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  project.provide('databaseUrl', url.toString())
  return async () => {
    const children = await admin<{ datname: string }[]>`select datname from pg_database`
    for (const { datname } of children) {
      if (datname.startsWith(`${name}_`)) {
        await admin.unsafe(`drop database if exists ${datname} with (force)`)
      }
    }
    await admin.unsafe(`drop database if exists ${name} with (force)`)
    await admin.end()
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string
  }
}
