/** Only paths inside the console: a crafted `?redirect=//evil.example` must not leave it. */
export function safeRedirect(value: unknown): string | null {
  if (typeof value !== 'string') return null
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null
  if (value.startsWith('/sign-in')) return null
  return value
}
