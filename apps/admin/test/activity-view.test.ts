import type { ActivityList } from '@tessera/api/contract'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import ActivityView from '../src/views/admin/activity-view.vue'
import { makeActivity } from './fixtures'
import { routerAt } from './router'

const api = vi.hoisted(() => ({ listActivity: vi.fn<() => Promise<ActivityList>>() }))
vi.mock('../src/api/activity', () => api)
vi.mock('../src/api/users', () => ({ listUsers: vi.fn(async () => ({ users: [] })) }))

afterEach(() => {
  document.body.innerHTML = ''
})

describe('activity page', () => {
  it('tells workspace changes as sentences, with the token and the way in that made them', async () => {
    api.listActivity.mockResolvedValue({
      activity: [
        makeActivity({
          via: 'mcp',
          token: { id: '10000000-0000-4000-8000-000000000999', name: 'Cursor MCP' },
          action: 'task.status_changed',
          target: { type: 'task', id: 't', label: 'WEB-3' },
          changes: { status: { before: 'todo', after: 'done' } },
        }),
        makeActivity({
          action: 'comment.added',
          target: { type: 'task', id: 't', label: 'WEB-3' },
          changes: { comment: { before: null, after: 'Looks good' } },
        }),
      ],
      nextCursor: null,
    })
    const router = await routerAt('/admin/activity')
    const wrapper = mount(ActivityView, { global: { plugins: [router] } })
    await flushPromises()
    const rows = wrapper.findAll('[data-testid="activity-row"]')
    const moved = rows[0]
    expect(moved?.get('[data-label="What"]').text().replace(/\s+/g, ' ')).toBe(
      'moved WEB-3 from To do to Done',
    )
    expect(moved?.get('[data-label="What"] a').attributes('href')).toBe('/tasks/WEB-3')
    expect(moved?.get('[data-testid="activity-token"]').text()).toContain('with token “Cursor MCP”')
    expect(moved?.get('[data-label="Via"]').text()).toBe('MCP')
    expect(rows[1]?.get('[data-label="What"]').text()).toContain('commented on WEB-3')
    expect(rows[1]?.get('[data-label="What"]').text()).toContain('“Looks good”')
    expect(rows[1]?.find('[data-testid="activity-token"]').exists()).toBe(false)
  })
})
