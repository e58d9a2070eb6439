const MINUTE = 60
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

const relativeFormat = new Intl.RelativeTimeFormat('en', { numeric: 'auto' })
const exactFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'long',
})

/**
 * "3 days ago", "in 30 days", "just now": for tables, with `formatExact` on hover. Days are used
 * up to 45 so a 30-day token reads "in 30 days", not the vaguer "next month".
 */
export function formatRelative(value: string | Date, now: number = Date.now()): string {
  const seconds = Math.round((new Date(value).getTime() - now) / 1000)
  const abs = Math.abs(seconds)
  if (abs < 45) return 'just now'
  if (abs < 45 * MINUTE) return relativeFormat.format(Math.round(seconds / MINUTE), 'minute')
  if (abs < 22 * HOUR) return relativeFormat.format(Math.round(seconds / HOUR), 'hour')
  if (abs < 45 * DAY) return relativeFormat.format(Math.round(seconds / DAY), 'day')
  if (abs < 320 * DAY) return relativeFormat.format(Math.round(seconds / (30 * DAY)), 'month')
  return relativeFormat.format(Math.round(seconds / (365 * DAY)), 'year')
}

export function formatExact(value: string | Date): string {
  return exactFormat.format(new Date(value))
}

/** The calendar date a token created now would expire, for the create dialog's hint. */
export function formatDate(value: Date): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'long' }).format(value)
}

export function addDays(days: number, from: number = Date.now()): Date {
  return new Date(from + days * DAY * 1000)
}
