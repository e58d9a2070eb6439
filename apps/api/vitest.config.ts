import { defineConfig } from 'vitest/config'

// The API suite runs twice, in full: on the embedded database and on a real PostgreSQL server.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'pglite', env: { TEST_DB: 'pglite' } },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          env: { TEST_DB: 'postgres' },
          globalSetup: ['./test/postgres-setup.ts'],
        },
      },
    ],
  },
})
