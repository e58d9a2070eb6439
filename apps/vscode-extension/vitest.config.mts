import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    // The one `vscode` test double: only extension.ts and vscode-ui.ts import `vscode`.
    alias: { vscode: fileURLToPath(new URL('./test/vscode-double.ts', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
  },
})
