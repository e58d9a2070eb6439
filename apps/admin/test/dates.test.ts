import { describe, expect, it } from 'vitest'
import { formatRelative } from '../src/lib/dates'

const NOW = Date.parse('2025-06-15T12:00:00Z')
const at = (seconds: number) => new Date(NOW + seconds * 1000)
const DAY = 24 * 3600

describe('relative dates', () => {
  it('calls the last few seconds "just now"', () => {
    expect(formatRelative(at(-10), NOW)).toBe('just now')
  })

  it('reads a 30-day expiry as "in 30 days", not "next month"', () => {
    expect(formatRelative(at(30 * DAY - 5), NOW)).toBe('in 30 days')
  })

  it('uses words for yesterday and tomorrow', () => {
    expect(formatRelative(at(-DAY), NOW)).toBe('yesterday')
    expect(formatRelative(at(DAY), NOW)).toBe('tomorrow')
  })

  it('switches to months and years for long spans', () => {
    expect(formatRelative(at(-90 * DAY), NOW)).toBe('3 months ago')
    expect(formatRelative(at(365 * DAY), NOW)).toBe('next year')
  })
})
