import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import { bearer, buildTestApp, problem, userWithToken } from './helper.js'

let app: App
beforeAll(async () => {
  app = await buildTestApp()
})
afterAll(async () => {
  await app.close()
})

describe('bad input never reaches the database', () => {
  it('a NUL character in a JSON body is refused with 400 invalid_text', async () => {
    const { token } = await userWithToken(app)
    const requests = [
      {
        url: '/api/v1/projects',
        headers: bearer(token.secret),
        payload: { key: 'NULA', name: 'a\u0000b' },
      },
      {
        url: '/api/v1/auth/login',
        headers: {},
        payload: { email: 'a\u0000b@example.com', password: 'x' },
      },
      {
        url: '/api/v1/tasks',
        headers: bearer(token.secret),
        payload: { project: 'NULA', title: ['x\u0000'] },
      },
    ]
    for (const request of requests) {
      const res = await app.inject({ method: 'POST', ...request })
      expect(res.statusCode, res.body).toBe(400)
      expect(problem(res).code).toBe('invalid_text')
    }
  })

  it('a NUL character in the path or query is refused with 400 invalid_text', async () => {
    const { token } = await userWithToken(app)
    for (const url of ['/api/v1/tasks?q=a%00b', '/api/v1/tasks/WEB-1%00', '/api/v1/projects/%00']) {
      const res = await app.inject({ method: 'GET', url, headers: bearer(token.secret) })
      expect(res.statusCode, `${url}: ${res.body}`).toBe(400)
      expect(problem(res).code).toBe('invalid_text')
    }
  })

  it('an escaped backslash followed by u0000 is ordinary text', async () => {
    const { token } = await userWithToken(app)
    const key = `B${Date.now().toString(36).slice(-6).toUpperCase()}`
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/projects',
      headers: { ...bearer(token.secret), 'content-type': 'application/json' },
      payload: JSON.stringify({ key, name: 'literally \\u0000' }),
    })
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json().project.name).toBe('literally \\u0000')
  })

  it('prototype pollution keys in JSON are still refused by the JSON parser', async () => {
    const { token } = await userWithToken(app)
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/projects',
      headers: { ...bearer(token.secret), 'content-type': 'application/json' },
      payload: '{"key":"PROTO","name":"x","__proto__":{"admin":true}}',
    })
    expect(res.statusCode).toBe(400)
  })

  it('a lone surrogate half in JSON text is refused with 400 invalid_text, a pair is kept', async () => {
    const { token } = await userWithToken(app)
    const key = `S${randomBytes(3).toString('hex').toUpperCase()}`
    const send = (method: 'POST' | 'PATCH', url: string, payload: string) =>
      app.inject({
        method,
        url,
        headers: { ...bearer(token.secret), 'content-type': 'application/json' },
        payload,
      })
    const project = await send('POST', '/api/v1/projects', JSON.stringify({ key, name: 'Pairs' }))
    expect(project.statusCode, project.body).toBe(201)
    const task = await send('POST', '/api/v1/tasks', JSON.stringify({ project: key, title: 'T' }))
    const ref = task.json().task.ref as string
    const broken = [
      ['POST', `/api/v1/tasks/${ref}/comments`, '{"body":"\\ud800"}'],
      ['POST', `/api/v1/tasks/${ref}/comments`, '{"body":"a\\udfffb"}'],
      ['PATCH', `/api/v1/tasks/${ref}`, '{"title":"\\udbff\\udbff"}'],
      ['PATCH', `/api/v1/projects/${key}`, '{"name":"x\\uDC00"}'],
      ['POST', '/api/v1/tasks', `{"project":"${key}","title":"t","\\ud800":1}`],
    ] as const
    for (const [method, url, payload] of broken) {
      const res = await send(method, url, payload)
      expect(res.statusCode, `${method} ${url} ${payload}: ${res.body}`).toBe(400)
      expect(res.json().code).toBe('invalid_text')
    }
    const pair = await send('POST', `/api/v1/tasks/${ref}/comments`, '{"body":"\\ud83d\\ude00 ok"}')
    expect(pair.statusCode, pair.body).toBe(201)
    expect(pair.json().comment.body).toBe('\u{1F600} ok')
  })
})
