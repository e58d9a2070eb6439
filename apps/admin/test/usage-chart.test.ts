import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import UsageChart from '../src/components/usage-chart.vue'

/** 30 days ending 2026-03-30, with the requests given by day of month (1-30). */
function days(requests: Record<number, number> = {}) {
  return Array.from({ length: 30 }, (_, i) => ({
    day: `2026-03-${String(i + 1).padStart(2, '0')}`,
    requests: requests[i + 1] ?? 0,
  }))
}

describe('usage chart', () => {
  it('draws a bar a day, as tall as its share of the busiest day', () => {
    const wrapper = mount(UsageChart, { props: { days: days({ 3: 40, 10: 10, 30: 20 }) } })
    const bars = wrapper.findAll('rect')
    expect(bars).toHaveLength(30)
    const height = (day: number) => Number(bars[day - 1]?.attributes('height'))
    expect(height(3)).toBeCloseTo(80)
    expect(height(10)).toBeCloseTo(20)
    expect(height(30)).toBeCloseTo(40)
    expect(height(1)).toBe(0)
    // Bars stand on the same baseline, left to right in day order.
    expect(Number(bars[2]?.attributes('y')) + height(3)).toBeCloseTo(80)
    const xs = bars.map((bar) => Number(bar.attributes('x')))
    expect([...xs].sort((a, b) => a - b)).toEqual(xs)
  })

  it('keeps a quiet day visible beside a busy one', () => {
    const wrapper = mount(UsageChart, { props: { days: days({ 1: 10_000, 2: 1 }) } })
    expect(Number(wrapper.findAll('rect')[1]?.attributes('height'))).toBeGreaterThanOrEqual(2)
  })

  it('tells each day on hover and the whole in words for screen readers', () => {
    const wrapper = mount(UsageChart, { props: { days: days({ 3: 40, 10: 1 }) } })
    expect(wrapper.findAll('rect title')[2]?.text()).toMatch(/3 Mar|Mar 3/)
    expect(wrapper.findAll('rect title')[2]?.text()).toContain('40 requests')
    expect(wrapper.findAll('rect title')[9]?.text()).toContain('1 request')
    const label = wrapper.get('svg').attributes('aria-label')
    expect(label).toContain('41 requests')
    expect(label).toMatch(/the most on (3 Mar|Mar 3) \(40\)/)
  })

  it('says so when there were no requests', () => {
    const wrapper = mount(UsageChart, { props: { days: days() } })
    expect(wrapper.findAll('rect').every((bar) => bar.attributes('height') === '0')).toBe(true)
    expect(wrapper.get('figcaption').text()).toContain('No requests')
  })
})
