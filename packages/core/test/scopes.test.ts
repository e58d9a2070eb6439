import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_SCOPES,
  hasScope,
  normalizeScopes,
  PROJECT_KEY_PATTERN,
  projectRestriction,
  SCOPES,
} from '../src/scopes.js'

describe('scope constants', () => {
  it('lists read and write, both granted by default', () => {
    expect(SCOPES).toEqual(['read', 'write'])
    expect(DEFAULT_SCOPES).toEqual(['read', 'write'])
    expect(normalizeScopes(DEFAULT_SCOPES)).toEqual({ ok: true, scopes: ['read', 'write'] })
  })

  it('accepts project keys of 2 to 10 uppercase letters and digits, starting with a letter', () => {
    for (const key of ['AB', 'WEB', 'OPS2', 'A1', 'ABCDEFGHIJ']) {
      expect(PROJECT_KEY_PATTERN.test(key)).toBe(true)
    }
    for (const key of ['', 'A', '1AB', 'ab', 'Web', 'ABCDEFGHIJK', 'A-B', 'A B', 'AB\n']) {
      expect(PROJECT_KEY_PATTERN.test(key)).toBe(false)
    }
  })
})

describe('normalizeScopes', () => {
  const accepted: Array<[readonly string[], string[]]> = [
    [['read'], ['read']],
    [['write'], ['read', 'write']],
    [
      ['write', 'read'],
      ['read', 'write'],
    ],
    [
      ['read', 'read', 'write', 'write'],
      ['read', 'write'],
    ],
    [
      ['project:WEB', 'read'],
      ['read', 'project:WEB'],
    ],
    [
      ['project:WEB', 'write', 'project:API', 'project:WEB'],
      ['read', 'write', 'project:API', 'project:WEB'],
    ],
    [
      ['project:B2', 'project:A10', 'project:A9', 'read'],
      ['read', 'project:A10', 'project:A9', 'project:B2'],
    ],
  ]
  for (const [input, expected] of accepted) {
    it(`normalises ${JSON.stringify(input)} to ${JSON.stringify(expected)}`, () => {
      expect(normalizeScopes(input)).toEqual({ ok: true, scopes: expected })
    })
  }

  const refused: Array<[readonly string[], string[]]> = [
    [[], []],
    [['project:WEB'], []],
    [['admin'], ['admin']],
    [['READ', 'write'], ['READ']],
    [
      [' read', 'read '],
      [' read', 'read '],
    ],
    [
      ['read', 'project:web', 'project:', 'project:A', 'project:1AB'],
      ['project:web', 'project:', 'project:A', 'project:1AB'],
    ],
    [['delete', 'delete', 'write'], ['delete']],
    [
      ['project', 'projects:WEB', 'PROJECT:WEB', 'read'],
      ['project', 'projects:WEB', 'PROJECT:WEB'],
    ],
    [['__proto__', 'read'], ['__proto__']],
  ]
  for (const [input, invalid] of refused) {
    it(`refuses ${JSON.stringify(input)}, naming ${JSON.stringify(invalid)}`, () => {
      expect(normalizeScopes(input)).toEqual({ ok: false, code: 'invalid_scope', invalid })
    })
  }

  it('is idempotent and order-insensitive', () => {
    const scope = fc.oneof(
      fc.constantFrom('read', 'write'),
      fc.stringMatching(/^[A-Z][A-Z0-9]{1,9}$/).map((key) => `project:${key}`),
    )
    fc.assert(
      fc.property(fc.array(scope, { maxLength: 8 }), fc.nat(), (input, shift) => {
        const result = normalizeScopes(input)
        const rotated = input.map((_, i) => input[(i + shift) % input.length] ?? '')
        expect(normalizeScopes(rotated)).toEqual(result)
        if (result.ok) {
          expect(normalizeScopes(result.scopes)).toEqual(result)
          expect(result.scopes[0]).toBe('read')
        } else {
          expect(input.some((s) => s === 'read' || s === 'write')).toBe(false)
        }
      }),
    )
  })
})

describe('hasScope', () => {
  it('grants read to read or write, and write only to write', () => {
    expect(hasScope(['read'], 'read')).toBe(true)
    expect(hasScope(['read'], 'write')).toBe(false)
    expect(hasScope(['write'], 'read')).toBe(true)
    expect(hasScope(['write'], 'write')).toBe(true)
    expect(hasScope(['read', 'write', 'project:WEB'], 'write')).toBe(true)
    expect(hasScope([], 'read')).toBe(false)
    expect(hasScope(['project:WEB'], 'read')).toBe(false)
    expect(hasScope(['READ', 'Write'], 'read')).toBe(false)
  })
})

describe('projectRestriction', () => {
  it('is null when the token has no project scopes (all projects)', () => {
    expect(projectRestriction(['read', 'write'])).toBeNull()
    expect(projectRestriction([])).toBeNull()
  })

  it('lists the restricted project keys, sorted and de-duplicated', () => {
    expect(projectRestriction(['read', 'project:WEB', 'project:API', 'project:WEB'])).toEqual([
      'API',
      'WEB',
    ])
  })

  it('fails closed on a malformed project scope instead of ignoring it', () => {
    expect(projectRestriction(['read', 'project:web'])).toEqual(['web'])
    expect(projectRestriction(['read', 'project:'])).toEqual([''])
  })
})
