import { describe, expect, it } from 'vitest'
import { bundleBudget, measureInitialJs } from '../scripts/bundle-budget'

const chunk = (fileName: string, code: string, imports: string[] = [], isEntry = false) => ({
  type: 'chunk' as const,
  fileName,
  code,
  imports,
  isEntry,
})

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
    const context = {
      info: () => {},
      error: (message: string) => {
        throw new Error(message)
      },
    }
    const hook = plugin.writeBundle as unknown as (
      this: typeof context,
      output: unknown,
      bundle: unknown,
    ) => void
    expect(() =>
      hook.call(context, {}, { 'index.js': chunk('index.js', random, [], true) }),
    ).toThrow(/over budget/)
  })
})
