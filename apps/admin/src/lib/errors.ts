import { ApiError } from '../api/client'

/** A sentence for the person in front of the screen, from any error a request can throw. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'rate_limited') {
      const wait = error.retryAfterSeconds
      return wait
        ? `Too many attempts. Try again in ${formatWait(wait)}.`
        : 'Too many attempts. Wait a moment and try again.'
    }
    if (error.status >= 500) {
      return 'Something went wrong on the server. Try again; if it keeps happening, check the server logs.'
    }
    return error.hint ? `${error.message} ${error.hint}` : error.message
  }
  return 'Something unexpected went wrong. Reload the page and try again.'
}

export function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`
  const minutes = Math.ceil(seconds / 60)
  return `${minutes} minute${minutes === 1 ? '' : 's'}`
}

export function errorCode(error: unknown): string | null {
  return error instanceof ApiError ? error.code : null
}
