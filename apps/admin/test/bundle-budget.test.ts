import { describe, expect, it } from 'vitest'
import { bundleBudget, eagerPackages, measureInitialJs } from '../scripts/bundle-budget'

const chunk = (
  fileName: string,
  code: string,
  imports: string[] = [],
  isEntry = false,
  moduleIds: string[] = [],
) => ({
  type: 'chunk' as const,
  fileName,
  code,
  imports,
  isEntry,
  moduleIds,
})

const MARKDOWN_IT =
  '/repo/node_modules/.pnpm/markdown-it@15.0.3/node_modules/markdown-it/dist/index.mjs'

const context = {
  info: () => {},
  error: (message: string) => {
    throw new Error(message)
  },
}
const runPlugin = (plugin: ReturnType<typeof bundleBudget>, bundle: unknown) =>
  (
    plugin.writeBundle as unknown as (
      this: typeof context,
      output: unknown,
      bundle: unknown,
    ) => void
  ).call(context, {}, bundle)

describe('sign-in bundle budget', () => {
  it('counts the entry and its static imports, not lazily loaded routes', () => {
    const bundle = {
      'index.js': chunk('index.js', 'a'.repeat(100), ['vendor.js'], true),
      'vendor.js': chunk('vendor.js', 'b'.repeat(100)),
      'tokens-view.js': chunk('tokens-view.js', 'c'.repeat(100), ['vendor.js']),
    }
    const measured = measureInitialJs(bundle)
    expect(measured.files.map((file) => file.fileName)).toEqual(['index.js', 'vendor.js'])
  })

  it('fails the build when the initial JavaScript is over budget', () => {
    const plugin = bundleBudget({ maxGzipBytes: 10 })
    const random = Array.from({ length: 2000 }, (_, index) =>
      ((index * 7919) % 97).toString(36),
    ).join('')
    expect(() => runPlugin(plugin, { 'index.js': chunk('index.js', random, [], true) })).toThrow(
      /over budget/,
    )
  })

  it('fails the build when a lazy-only package is in the initial JavaScript', () => {
    const plugin = bundleBudget({ maxGzipBytes: 100_000, lazyPackages: ['markdown-it'] })
    const eager = {
      'index.js': chunk('index.js', 'a', ['vendor.js'], true, ['/repo/src/main.ts']),
      'vendor.js': chunk('vendor.js', 'b', [], false, [MARKDOWN_IT]),
    }
    expect(() => runPlugin(plugin, eager)).toThrow(/contains markdown-it/)
  })

  it('accepts a lazy-only package behind a dynamic import', () => {
    const bundle = {
      'index.js': chunk('index.js', 'a', [], true, ['/repo/src/main.ts']),
      'markdown-it.js': chunk('markdown-it.js', 'b', [], false, [MARKDOWN_IT]),
    }
    expect(eagerPackages(measureInitialJs(bundle), ['markdown-it'])).toEqual([])
    const plugin = bundleBudget({ maxGzipBytes: 100_000, lazyPackages: ['markdown-it'] })
    expect(() => runPlugin(plugin, bundle)).not.toThrow()
  })
})
