import { gzipSync } from 'node:zlib'
import type { Plugin } from 'vite'

/** What the budget needs from Rollup's output chunks (kept narrow so tests can build it by hand). */
export interface BudgetChunk {
  type: 'chunk'
  fileName: string
  code: string
  isEntry: boolean
  imports: string[]
  /** The modules bundled into the chunk (absolute paths for files, as Rollup reports them). */
  moduleIds?: string[]
}

export interface InitialJs {
  files: { fileName: string; gzipBytes: number; moduleIds: string[] }[]
  gzipBytes: number
}

/**
 * The JavaScript a browser must load before the sign-in page can render: the entry chunk and
 * everything it imports statically. Lazily imported routes are not part of it.
 */
export function measureInitialJs(
  bundle: Record<string, BudgetChunk | { type: 'asset' }>,
): InitialJs {
  const seen = new Set<string>()
  const queue = Object.values(bundle)
    .filter((item): item is BudgetChunk => item.type === 'chunk' && item.isEntry)
    .map((chunk) => chunk.fileName)
  while (queue.length > 0) {
    const fileName = queue.shift() as string
    if (seen.has(fileName)) continue
    seen.add(fileName)
    const chunk = bundle[fileName]
    if (chunk?.type === 'chunk') queue.push(...chunk.imports)
  }
  const files = [...seen].map((fileName) => {
    const chunk = bundle[fileName]
    const code = chunk?.type === 'chunk' ? chunk.code : ''
    const moduleIds = chunk?.type === 'chunk' ? (chunk.moduleIds ?? []) : []
    return { fileName, gzipBytes: gzipSync(code).length, moduleIds }
  })
  return { files, gzipBytes: files.reduce((sum, file) => sum + file.gzipBytes, 0) }
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`

/** The packages of `lazyPackages` that ended up in the initial JavaScript anyway. */
export function eagerPackages(initial: InitialJs, lazyPackages: readonly string[]): string[] {
  const ids = initial.files.flatMap((file) => file.moduleIds.map((id) => id.replaceAll('\\', '/')))
  return lazyPackages.filter((name) => ids.some((id) => id.includes(`/node_modules/${name}/`)))
}

/**
 * Prints the gzipped size of the sign-in page's initial JavaScript and fails the build when it
 * is above `maxGzipBytes`, or when it contains one of `lazyPackages` (packages only some pages
 * need, which must stay behind a dynamic import), so a heavy static import is caught by the
 * build that adds it.
 */
export function bundleBudget(options: {
  maxGzipBytes: number
  lazyPackages?: readonly string[]
}): Plugin {
  return {
    name: 'tessera:bundle-budget',
    apply: 'build',
    enforce: 'post',
    // After every other plugin changed the chunks: what is measured is what gets served.
    writeBundle(_output, bundle) {
      const initial = measureInitialJs(bundle as Record<string, BudgetChunk | { type: 'asset' }>)
      const lines = initial.files.map((file) => `  ${file.fileName}  ${kb(file.gzipBytes)} gzip`)
      const summary = `Initial JS of the sign-in page: ${kb(initial.gzipBytes)} gzip (budget ${kb(options.maxGzipBytes)})`
      this.info(`\n${lines.join('\n')}\n${summary}`)
      const eager = eagerPackages(initial, options.lazyPackages ?? [])
      if (eager.length > 0) {
        this.error(
          `The sign-in page's initial JS contains ${eager.join(', ')}, which must be loaded ` +
            'with a dynamic import() where it is used.',
        )
      }
      if (initial.gzipBytes > options.maxGzipBytes) {
        this.error(
          `${summary}: over budget by ${kb(initial.gzipBytes - options.maxGzipBytes)}. ` +
            'Lazy-load what the sign-in page does not need.',
        )
      }
    },
  }
}
