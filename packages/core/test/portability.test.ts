// Tests run in Node and may use it; src/ must not (the build has no Node types).
/// <reference types="node" />
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import * as core from '../src/index.js'

const srcDir = fileURLToPath(new URL('../src/', import.meta.url))
const sources = readdirSync(srcDir)
  .filter((name) => name.endsWith('.ts'))
  .map((name) => ({ name, text: readFileSync(srcDir + name, 'utf8') }))

describe('packages/core portability', () => {
  it('has kebab-case source files', () => {
    expect(sources.length).toBeGreaterThan(5)
    for (const { name } of sources) expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*\.ts$/)
  })

  it('imports only its own relative .js modules (no node:, no frameworks)', () => {
    for (const { name, text } of sources) {
      const specifiers = [...text.matchAll(/\bfrom\s+['"]([^'"]+)['"]/g)].map((m) => m[1])
      for (const specifier of specifiers) {
        expect(specifier, `${name} imports ${specifier}`).toMatch(/^\.\/[a-z0-9-]+\.js$/)
      }
      expect(text, name).not.toMatch(/\brequire\(|\bimport\(/)
    }
  })

  it('uses no Node-only globals', () => {
    for (const { name, text } of sources) {
      expect(text, name).not.toMatch(/\b(Buffer|process|__dirname|__filename|global)\b(?!This)/)
    }
  })

  it('re-exports the public API from index', () => {
    for (const name of [
      'TOKEN_PREFIX',
      'TOKEN_LENGTH',
      'TOKEN_PATTERN',
      'TOKEN_SCAN_REGEX_SOURCE',
      'encodeToken',
      'generateToken',
      'checkTokenFormat',
      'hashToken',
      'tokenDisplayPrefix',
      'parseAuthorizationHeader',
      'tokenStatus',
      'judgeToken',
      'SCOPES',
      'DEFAULT_SCOPES',
      'normalizeScopes',
      'hasScope',
      'projectRestriction',
      'ERROR_HINTS',
      'toAuthFailureCode',
      'crc32',
    ]) {
      expect(core, name).toHaveProperty(name)
    }
  })
})
