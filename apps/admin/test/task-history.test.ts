import type { ActivityList } from '@tessera/api/contract'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ActivityFilter } from '../src/api/activity'
import { describeTaskEntry } from '../src/lib/task-history'
import TaskHistory from '../src/views/workspace/task-history.vue'
import { makeActivity, makeUserRef } from './fixtures'

const api = vi.hoisted(() => ({
  listActivity: vi.fn<(filter: ActivityFilter) => Promise<ActivityList>>(),
}))
vi.mock('../src/api/activity', () => api)

afterEach(() => {
  document.body.innerHTML = ''
  vi.clearAllMocks()
})

const cursor = { id: '10000000-0000-4000-8000-000000000555', name: 'Cursor on laptop' }

describe('a task entry, told from the task page', () => {
  it('says what changed in words, several changes in one sentence in a fixed order', () => {
    const said = (action: string, changes: Record<string, [unknown, unknown]>) =>
      describeTaskEntry(
        makeActivity({
          action,
          changes: Object.fromEntries(
            Object.entries(changes).map(([field, [before, after]]) => [field, { before, after }]),
          ),
        }),
      ).summary
    expect(said('task.created', { title: [null, 'Fix login'] })).toBe('created this task')
    expect(said('task.status_changed', { status: ['todo', 'in_progress'] })).toBe(
      'moved it from To do to In progress',
    )
    expect(
      // As the database gives them back: keys by length, then alphabetically.
      said('task.updated', {
        dueDate: [null, '2031-05-01'],
        assignee: [null, 'ada@example.com'],
        priority: ['none', 'high'],
      }),
    ).toMatch(
      /^set the priority to High, assigned it to ada@example\.com and set the due date to .*2031$/,
    )
    expect(
      said('task.updated', { assignee: ['ada@example.com', null], dueDate: ['2031-05-01', null] }),
    ).toBe('unassigned ada@example.com and removed the due date')
    expect(said('task.updated', { priority: ['high', 'urgent'] })).toBe(
      'changed the priority from High to Urgent',
    )
    expect(said('task.updated', { title: ['Old', 'New'], description: ['a', 'b'] })).toBe(
      'renamed it to “New” and edited the description',
    )
  })

  it('quotes a comment', () => {
    expect(
      describeTaskEntry(
        makeActivity({
          action: 'comment.added',
          changes: { comment: { before: null, after: 'Looked into it' } },
        }),
      ),
    ).toEqual({ summary: 'commented', quote: 'Looked into it' })
  })
})

describe('task history', () => {
  it('shows who, what, when and a via badge per entry, newest first, and pages back', async () => {
    const ada = makeUserRef({ name: 'Ada Lovelace' })
    api.listActivity.mockResolvedValueOnce({
      activity: [
        makeActivity({
          actor: ada,
          via: 'mcp',
          token: cursor,
          action: 'comment.added',
          changes: { comment: { before: null, after: 'Looked into it' } },
        }),
        makeActivity({
          actor: ada,
          via: 'api',
          token: { id: cursor.id, name: 'deploy script' },
          action: 'task.status_changed',
          changes: { status: { before: 'todo', after: 'done' } },
        }),
      ],
      nextCursor: 'older',
    })
    api.listActivity.mockResolvedValueOnce({
      activity: [makeActivity({ actor: ada, action: 'task.created' })],
      nextCursor: null,
    })
    const wrapper = mount(TaskHistory, {
      props: { taskRef: 'WEB-3', version: 0 },
      attachTo: document.body,
    })
    await flushPromises()
    expect(api.listActivity).toHaveBeenLastCalledWith({
      task: 'WEB-3',
      cursor: undefined,
      limit: 20,
    })
    const entries = () => wrapper.findAll('[data-testid="history-entry"]')
    expect(
      entries().map((e) => e.get('.task-history__summary').text().replace(/\s+/g, ' ')),
    ).toEqual([
      expect.stringMatching(/^Ada Lovelace commented /),
      expect.stringMatching(/^Ada Lovelace moved it from To do to Done /),
    ])
    expect(entries()[0]?.text()).toContain('“Looked into it”')
    expect(entries().map((e) => e.get('[data-testid="via-badge"]').text())).toEqual([
      'via MCP · “Cursor on laptop”',
      'via API · “deploy script”',
    ])
    expect(entries()[0]?.find('time').exists()).toBe(true)

    await wrapper.get('button').trigger('click')
    await flushPromises()
    expect(api.listActivity).toHaveBeenLastCalledWith({ task: 'WEB-3', cursor: 'older', limit: 20 })
    expect(entries()).toHaveLength(3)
    expect(entries()[2]?.text()).toContain('created this task')
    expect(entries()[2]?.get('[data-testid="via-badge"]').text()).toBe('via Web')
    expect(wrapper.find('button').exists()).toBe(false)
  })

  it('reads its newest entries again when the page changed the task', async () => {
    api.listActivity.mockResolvedValue({ activity: [], nextCursor: null })
    const wrapper = mount(TaskHistory, { props: { taskRef: 'WEB-3', version: 0 } })
    await flushPromises()
    expect(wrapper.text()).toContain('Nothing has happened to this task yet.')
    await wrapper.setProps({ version: 1 })
    await flushPromises()
    expect(api.listActivity).toHaveBeenCalledTimes(2)
  })
})
