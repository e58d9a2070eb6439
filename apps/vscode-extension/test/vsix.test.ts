/**
 * Inspects the packaged extension that `build` wrote (turbo runs build before test): what is in
 * it, its manifest, its size, and that no secret or dependency slipped in.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { checkTokenFormat } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { readZip } from './support/zip.js'

const vsixPath = new URL('../tessera.vsix', import.meta.url)
if (!existsSync(vsixPath)) {
  throw new Error(
    'tessera.vsix is missing: run `pnpm --filter tessera-vscode build` first (turbo does it before test).',
  )
}
const entries = readZip(readFileSync(vsixPath))
const entry = (name: string) => {
  const found = entries.find((e) => e.name === name)
  if (!found) throw new Error(`${name} is not in the .vsix`)
  return found
}
const text = (name: string) => entry(name).read().toString('utf8')
const packaged = JSON.parse(text('extension/package.json')) as {
  name: string
  publisher: string
  main: string
  icon: string
  engines: { vscode: string }
  activationEvents: string[]
  contributes: { mcpServerDefinitionProviders?: { id: string; label: string }[] }
  devDependencies?: unknown
}

describe('the .vsix', () => {
  it('is smaller than 200 KB', () => {
    expect(statSync(vsixPath).size).toBeLessThan(200 * 1024)
  })

  it('contains only the bundle, manifest, README, LICENSE, icon and walkthrough pages', () => {
    expect(entries.map((e) => e.name).sort()).toEqual(
      [
        '[Content_Types].xml',
        'extension.vsixmanifest',
        'extension/LICENSE.txt',
        'extension/dist/extension.js',
        'extension/media/icon.png',
        'extension/media/walkthrough/create-token.md',
        'extension/media/walkthrough/paste-token.md',
        'extension/media/walkthrough/server-url.md',
        'extension/media/walkthrough/sign-in.md',
        'extension/package.json',
        'extension/readme.md',
      ].sort(),
    )
    expect(entries.some((e) => e.name.includes('node_modules'))).toBe(false)
  })

  it('declares VS Code 1.101 or later and contributes the MCP provider', () => {
    const match = /^\^1\.(\d+)\.\d+$/.exec(packaged.engines.vscode)
    expect(match, packaged.engines.vscode).not.toBeNull()
    expect(Number(match?.[1])).toBeGreaterThanOrEqual(101)
    expect(packaged.contributes.mcpServerDefinitionProviders).toEqual([
      { id: 'tessera', label: 'Tessera' },
    ])
    expect(`${packaged.publisher}.${packaged.name}`).toBe('tessera.tessera-vscode')
    expect(entry(`extension/${packaged.main.replace(/^\.\//, '')}`).size).toBeGreaterThan(0)
    expect(entry(`extension/${packaged.icon}`).read().subarray(1, 4).toString()).toBe('PNG')
    expect(text('extension.vsixmanifest')).toContain('Microsoft.VisualStudio.Code')
  })

  it('needs nothing at run time but VS Code and Node built-ins', () => {
    const bundle = text('extension/dist/extension.js')
    const required = [...bundle.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1] ?? '')
    const allowed = new Set([
      'vscode',
      ...builtinModules,
      ...builtinModules.map((m) => `node:${m}`),
    ])
    expect(required.filter((name) => !allowed.has(name))).toEqual([])
    expect(required).toContain('vscode')
  })

  it('contains no token, private key or registry credential', () => {
    for (const e of entries) {
      const content = e.read().toString('latin1')
      const tokens = [...content.matchAll(/\btsr_[0-9A-Za-z]{49}\b/g)].filter(
        (m) => checkTokenFormat(m[0]).ok,
      )
      expect(tokens, e.name).toEqual([])
      expect(content, e.name).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/)
      expect(content, e.name).not.toMatch(/_authToken|npm_[A-Za-z0-9]{36}|ghp_[A-Za-z0-9]{36}/)
    }
  })
})
