import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import { buildTestApp } from './helper.js'

interface Operation {
  summary?: string
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> }
  responses: Record<string, unknown>
  parameters?: { name: string; in: string }[]
}
interface OpenApiDocument {
  openapi: string
  info: { title: string; version: string }
  paths: Record<string, Record<string, Operation>>
  components: { securitySchemes: Record<string, Record<string, string>> }
  security: Record<string, unknown>[]
}

let app: App
let doc: OpenApiDocument
beforeAll(async () => {
  app = await buildTestApp()
  const res = await app.inject({ method: 'GET', url: '/api/docs/json' })
  expect(res.statusCode).toBe(200)
  doc = res.json()
})
afterAll(async () => {
  await app.close()
})

describe('OpenAPI document', () => {
  it('is an OpenAPI 3 document about the Tessera API', () => {
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/)
    expect(doc.info.title).toBe('Tessera API')
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/)
  })

  it('describes every token route, with its parameters and answers', () => {
    const paths = doc.paths
    expect(Object.keys(paths['/api/v1/tokens'] ?? {})).toEqual(
      expect.arrayContaining(['get', 'post']),
    )
    expect(paths['/api/v1/tokens/self']?.get).toBeDefined()
    expect(paths['/api/v1/tokens/self/rotate']?.post).toBeDefined()
    const rotate = paths['/api/v1/tokens/{id}/rotate']?.post
    expect(rotate?.parameters).toContainEqual(expect.objectContaining({ name: 'id', in: 'path' }))
    expect(Object.keys(rotate?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '401', '403', '404', '409']),
    )
    expect(Object.keys(paths['/api/v1/tokens/{id}']?.delete?.responses ?? {})).toEqual(
      expect.arrayContaining(['204', '404']),
    )

    const create = paths['/api/v1/tokens']?.post
    const body = create?.requestBody?.content['application/json']?.schema
    expect(Object.keys(body?.properties ?? {})).toEqual(['name', 'expiresInDays', 'scopes'])
    expect(Object.keys(create?.responses ?? {})).toEqual(
      expect.arrayContaining(['201', '400', '401', '403', '409']),
    )
    for (const path of ['/api/v1/admin/tokens', '/api/v1/admin/tokens/{id}', '/api/v1/me']) {
      expect(paths[path], path).toBeDefined()
    }
  })

  it('declares bearer tokens and the session cookie as security schemes', () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' })
    expect(doc.components.securitySchemes.session).toMatchObject({
      type: 'apiKey',
      in: 'cookie',
      name: 'tessera_session',
    })
    expect(doc.security).toEqual(expect.arrayContaining([{ bearer: [] }]))
  })

  it('is browsable at /api/docs without signing in', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/docs' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('text/html')
  })
})
