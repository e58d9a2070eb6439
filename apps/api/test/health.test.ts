import { describe, expect, it } from 'vitest'
import { buildTestApp, openTestDatabase, problem } from './helper.js'

describe('health', () => {
  it('liveness and readiness answer without credentials, at the root and under /api/v1', async () => {
    const app = await buildTestApp()
    try {
      for (const url of ['/healthz', '/readyz', '/api/v1/healthz', '/api/v1/readyz']) {
        const res = await app.inject({ method: 'GET', url })
        expect(res.statusCode, url).toBe(200)
        expect(res.json()).toEqual({ status: 'ok' })
      }
    } finally {
      await app.close()
    }
  })

  it('readiness answers 503 database_unavailable when the database is gone; liveness stays up', async () => {
    const handle = await openTestDatabase()
    const app = await buildTestApp({ database: handle })
    try {
      await handle.close()
      for (const url of ['/readyz', '/api/v1/readyz']) {
        const res = await app.inject({ method: 'GET', url })
        expect(res.statusCode, url).toBe(503)
        expect(problem(res).code).toBe('database_unavailable')
        expect(res.body).not.toMatch(/ECONN|CONNECTION|closed/i)
      }
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)
    } finally {
      await app.close()
    }
  })
})
