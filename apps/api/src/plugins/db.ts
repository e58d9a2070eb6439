import fp from 'fastify-plugin'
import type { Db } from '../db/client.js'
import { type DatabaseConfig, type DatabaseHandle, openDatabase } from '../db/client.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
    database: DatabaseHandle
  }
}

export interface DbPluginOptions {
  database: DatabaseConfig | DatabaseHandle
  /** Apply migrations at start (default true). */
  migrate?: boolean
}

/** Opens the database (or adopts an open one), migrates it, and closes it with the app. */
export default fp<DbPluginOptions>(
  async (app, opts) => {
    const owned = !('db' in opts.database)
    const handle = 'db' in opts.database ? opts.database : await openDatabase(opts.database)
    if (opts.migrate !== false) await handle.migrate()
    app.decorate('database', handle)
    app.decorate('db', handle.db)
    if (owned) app.addHook('onClose', async () => handle.close())
  },
  { name: 'db' },
)
