import { defineConfig } from 'vitest/config'

// The API suite runs twice, in full: on the embedded database and on a real PostgreSQL server.
// `*.pglite.test.ts` (the embedded data folder itself) and `*.postgres.test.ts` (a server that can
// go away) run only where they mean something.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'pglite',
          env: { TEST_DB: 'pglite' },
          exclude: ['**/node_modules/**', 'test/**/*.postgres.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          env: { TEST_DB: 'postgres' },
          exclude: ['**/node_modules/**', 'test/**/*.pglite.test.ts'],
          globalSetup: ['./test/postgres-setup.ts'],
        },
      },
    ],
  },
})
