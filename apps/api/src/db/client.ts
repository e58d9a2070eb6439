import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { ExtractTablesWithRelations, Logger } from 'drizzle-orm'
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core'
import type { Sql } from 'postgres'
import { renewingClient } from './renewing-client.js'
import * as schema from './schema/index.js'

export type Schema = typeof schema
/** The one database interface services use, whichever driver is behind it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>
/** Anything that can run a query: the database or an open transaction. */
export type Executor = Db | Tx

export interface DatabaseHandle {
  db: Db
  /**
   * Where the credential lookup that precedes every token request runs. On PostgreSQL it is a
   * connection of its own that always reuses the lookup's generic plan: by default the server
   * plans a batch lookup afresh on every execution (its generic plan is costed for ten hashes, a
   * batch of one is cheaper), which costs more than running it. On PGlite it is `db`.
   */
  lookups: Db
  /**
   * Runs a query on `lookups` and returns its rows as arrays of driver values, without drizzle's
   * per-row mapping: for the token lookup before every token request, where mapping rows cost the
   * server more than the query did. Column values still need their columns' `mapFromDriverValue`.
   */
  lookupRows(query: { sql: string; params: unknown[] }): Promise<unknown[][]>
  driver: 'pglite' | 'postgres'
  /** Applies pending migrations; safe when several instances start at once. */
  migrate(): Promise<void>
  /** Round-trips a trivial query: for readiness checks. */
  ping(): Promise<void>
  close(): Promise<void>
}

export type DatabaseConfig = (
  | {
      driver: 'postgres'
      url: string
      max?: number
      /** Gives up on a connection attempt after this long (default 10 s). */
      connectTimeoutSeconds?: number
    }
  /** dataDir undefined = in memory (tests). */
  | { driver: 'pglite'; dataDir?: string }
) & {
  /** Sees every query the services send, with its parameters: the query-plan tests read them. */
  logger?: Logger
}

const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url))
// Any constant: serialises migrations across API instances that share one PostgreSQL server.
const MIGRATION_LOCK_ID = 7_346_221

export async function openDatabase(config: DatabaseConfig): Promise<DatabaseHandle> {
  if (config.driver === 'postgres') {
    const { default: postgres } = await import('postgres')
    const { drizzle } = await import('drizzle-orm/postgres-js')
    const { migrate } = await import('drizzle-orm/postgres-js/migrator')
    const connect = (max: number, settings: Record<string, string> = {}) =>
      renewingClient(() =>
        postgres(config.url, {
          max,
          // While the server is unreachable without refusing (a host down, a dropped route),
          // requests answer 503 after this rather than after the driver's default of 30 s.
          connect_timeout: config.connectTimeoutSeconds ?? 10,
          onnotice: () => {},
          connection: { application_name: 'tessera', ...settings },
        }),
      )
    const pool = connect(config.max ?? 10)
    // One connection is enough: lookups are batched with one batch in flight (BatchLoader).
    const lookupPool = connect(1, { plan_cache_mode: 'force_generic_plan' })
    const logger = config.logger ?? false
    const db = drizzle({ client: pool.client as Sql, schema, logger })
    const lookups = drizzle({ client: lookupPool.client as Sql, schema, logger })
    return {
      db: db as unknown as Db,
      lookups: lookups as unknown as Db,
      async lookupRows({ sql, params }) {
        config.logger?.logQuery(sql, params)
        return lookupPool.client.unsafe(sql, params as never[], { prepare: true }).values()
      },
      driver: 'postgres',
      async migrate() {
        // A session-level advisory lock on a reserved connection; the migrator itself runs on the
        // pool, so other instances wait here until the schema is current.
        const lock = await pool.current.reserve()
        try {
          await lock`select pg_advisory_lock(${MIGRATION_LOCK_ID})`
          await migrate(db, { migrationsFolder })
        } finally {
          await lock`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.catch(() => {})
          lock.release()
        }
      },
      async ping() {
        await pool.watch(pool.current`select 1`)
      },
      async close() {
        await Promise.all([pool.end(), lookupPool.end()])
      },
    }
  }

  const { PGlite } = await import('@electric-sql/pglite')
  const { drizzle } = await import('drizzle-orm/pglite')
  const { migrate } = await import('drizzle-orm/pglite/migrator')
  // Task search's trigram indexes (migration 0005) need pg_trgm, which PGlite ships as a contrib
  // extension to load here; `create extension` in the migration then finds it.
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm')
  if (config.dataDir) mkdirSync(config.dataDir, { recursive: true })
  const client = new PGlite({ dataDir: config.dataDir, extensions: { pg_trgm } })
  await client.waitReady
  const db = drizzle({ client, schema, logger: config.logger ?? false })
  return {
    db: db as unknown as Db,
    lookups: db as unknown as Db,
    async lookupRows({ sql, params }) {
      config.logger?.logQuery(sql, params)
      const result = await client.query<unknown[]>(sql, params, { rowMode: 'array' })
      return result.rows
    },
    driver: 'pglite',
    async migrate() {
      await migrate(db, { migrationsFolder })
    },
    async ping() {
      await client.query('select 1')
    },
    async close() {
      await client.close()
    },
  }
}
