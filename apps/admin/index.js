// Entry for the API: where the built console lives, so it can serve it with history fallback.
import { fileURLToPath } from 'node:url'

export const adminDistDir = fileURLToPath(new URL('./dist/', import.meta.url))
