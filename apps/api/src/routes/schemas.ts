import { z } from 'zod'
import { Problem } from '../contract/index.js'

/** Error answers every authenticated route can give, for the OpenAPI document. */
export const authErrors = {
  401: Problem.describe('Not authenticated: see `code` and `hint`'),
  403: Problem.describe('Authenticated but not allowed (scope, permission, CSRF)'),
  429: Problem.describe('Too many failed attempts'),
} as const

export const IdParams = z.object({ id: z.string().min(1).max(64) })

export const NoContent = z.null().describe('No content')
