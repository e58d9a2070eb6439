import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'
import { bundleBudget } from './scripts/bundle-budget.ts'

/** Issue 4: the sign-in page may load at most 120 kB of gzipped JavaScript. */
const SIGN_IN_JS_BUDGET_GZIP_BYTES = 120_000
/** Only pages that show Markdown load its parser (`lib/markdown.ts`). */
const LAZY_PACKAGES = ['markdown-it']

/** Where `pnpm dev` and `vite preview` send /api: the API's default port unless told otherwise. */
const API_URL = process.env.TESSERA_API_URL ?? 'http://127.0.0.1:3000'

export default defineConfig({
  plugins: [
    vue(),
    bundleBudget({ maxGzipBytes: SIGN_IN_JS_BUDGET_GZIP_BYTES, lazyPackages: LAZY_PACKAGES }),
  ],
  server: {
    proxy: {
      '/api': { target: API_URL, changeOrigin: false },
    },
  },
  preview: {
    proxy: {
      '/api': { target: API_URL, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
})
