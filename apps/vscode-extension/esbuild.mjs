// Bundles the extension into one CommonJS file for VS Code's extension host. `vscode` is
// provided by the host; everything else (@tessera/core) is bundled, so the .vsix needs no
// node_modules.
import { build } from 'esbuild'

const result = await build({
  entryPoints: ['src/extension.ts'],
  outfile: 'dist/extension.js',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  // Whitespace and syntax only: stack traces in bug reports keep readable names.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
})

const inputs = Object.keys(result.metafile.inputs)
const unexpected = inputs.filter((input) => /node_modules\/(?!@tessera\/)/.test(input))
if (unexpected.length > 0) {
  console.error(`esbuild: unexpected third-party code in the bundle:\n${unexpected.join('\n')}`)
  process.exit(1)
}
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0)
console.log(`dist/extension.js: ${(bytes / 1024).toFixed(1)} KB from ${inputs.length} files`)
