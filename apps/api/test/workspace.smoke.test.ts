import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import { bearer, buildTestApp, userWithToken } from './helper.js'

let app: App
beforeAll(async () => {
  app = await buildTestApp()
})
afterAll(async () => {
  await app.close()
})

describe('workspace smoke', () => {
  it('project and task round trip', async () => {
    const { token } = await userWithToken(app)
    const key = `P${Math.random().toString(36).slice(2, 8).toUpperCase()}`
    const p = await app.inject({
      method: 'POST',
      url: '/api/v1/projects',
      headers: bearer(token.secret),
      payload: { key, name: 'Web' },
    })
    expect(p.statusCode, p.body).toBe(201)
    const t = await app.inject({
      method: 'POST',
      url: '/api/v1/tasks',
      headers: bearer(token.secret),
      payload: { project: key, title: 'First', assignee: 'me' },
    })
    expect(t.statusCode, t.body).toBe(201)
    expect(t.json().task.ref).toBe(`${key}-1`)
    const u = await app.inject({
      method: 'PATCH',
      url: `/api/v1/tasks/${key}-1`,
      headers: bearer(token.secret),
      payload: { status: 'done' },
    })
    expect(u.statusCode, u.body).toBe(200)
    const c = await app.inject({
      method: 'POST',
      url: `/api/v1/tasks/${key.toLowerCase()}-1/comments`,
      headers: bearer(token.secret),
      payload: { body: 'hi' },
    })
    expect(c.statusCode, c.body).toBe(201)
    const g = await app.inject({
      method: 'GET',
      url: `/api/v1/tasks/${key}-1`,
      headers: bearer(token.secret),
    })
    expect(g.json().comments).toHaveLength(1)
    const l = await app.inject({
      method: 'GET',
      url: `/api/v1/tasks?project=${key}&status=done&q=fir`,
      headers: bearer(token.secret),
    })
    expect(l.json().tasks).toHaveLength(1)
    const a = await app.inject({
      method: 'GET',
      url: '/api/v1/activity?via=api',
      headers: bearer(token.secret),
    })
    expect(a.json().activity.map((x: { action: string }) => x.action)).toEqual([
      'comment.added',
      'task.status_changed',
      'task.created',
      'project.created',
    ])
  })
})
