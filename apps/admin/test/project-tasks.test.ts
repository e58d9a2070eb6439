import type { Task, TaskList } from '@tessera/api/contract'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '../src/api/client'
import { notices } from '../src/stores/notices'
import ProjectTasks from '../src/views/workspace/project-tasks.vue'
import { makeMember, makeProject, makeTask, makeUserRef } from './fixtures'
import { routerAt } from './router'

const api = vi.hoisted(() => ({
  listTasks: vi.fn<(query: Record<string, unknown>) => Promise<TaskList>>(),
  createTask: vi.fn(),
  updateTask: vi.fn<(ref: string, body: Record<string, unknown>) => Promise<Task>>(),
  getTask: vi.fn(),
  addComment: vi.fn(),
}))
vi.mock('../src/api/tasks', () => api)

beforeEach(() => {
  notices.splice(0)
})

afterEach(() => {
  vi.useRealTimers()
  document.body.innerHTML = ''
})

async function mountTasks(path = '/projects/WEB', project = makeProject({ key: 'WEB' })) {
  const router = await routerAt(path)
  const wrapper = mount(ProjectTasks, {
    attachTo: document.body,
    props: {
      projectKey: 'WEB',
      project,
      members: [makeMember({ user: makeUserRef({ name: 'Ada' }) })],
    },
    global: { plugins: [router] },
  })
  await flushPromises()
  return { wrapper, router }
}

const refs = (wrapper: Awaited<ReturnType<typeof mountTasks>>['wrapper']) =>
  wrapper.findAll('[data-testid="task-row"] .tasks__ref').map((cell) => cell.text())

describe('a project’s tasks', () => {
  it('lists the project’s tasks with the filters from the address, and loads more on demand', async () => {
    api.listTasks
      .mockResolvedValueOnce({
        tasks: [makeTask({ number: 3 }), makeTask({ number: 2 })],
        nextCursor: 'c1',
      })
      .mockResolvedValueOnce({ tasks: [makeTask({ number: 1 })], nextCursor: null })
    const { wrapper } = await mountTasks('/projects/WEB?status=todo&q=login')
    expect(api.listTasks).toHaveBeenLastCalledWith(
      expect.objectContaining({ project: 'WEB', status: 'todo', q: 'login', cursor: undefined }),
    )
    expect(refs(wrapper)).toEqual(['WEB-3', 'WEB-2'])
    const more = wrapper.findAll('button').find((button) => button.text() === 'Load More Tasks')
    await more?.trigger('click')
    await flushPromises()
    expect(api.listTasks).toHaveBeenLastCalledWith(expect.objectContaining({ cursor: 'c1' }))
    expect(refs(wrapper)).toEqual(['WEB-3', 'WEB-2', 'WEB-1'])
    expect(wrapper.text()).not.toContain('Load More Tasks')
  })

  it('searches after a pause in typing, through the address', async () => {
    api.listTasks.mockResolvedValue({ tasks: [], nextCursor: null })
    const { wrapper, router } = await mountTasks()
    vi.useFakeTimers()
    await wrapper.get('#tasks-search').setValue('sign')
    await wrapper.get('#tasks-search').setValue('sign-up')
    expect(router.currentRoute.value.query.q).toBeUndefined()
    await vi.advanceTimersByTimeAsync(400)
    vi.useRealTimers()
    await flushPromises()
    expect(router.currentRoute.value.query.q).toBe('sign-up')
    expect(api.listTasks).toHaveBeenLastCalledWith(expect.objectContaining({ q: 'sign-up' }))
    expect(wrapper.get('[data-testid="tasks-empty"]').text()).toContain('No tasks match')
  })

  it('changes a task’s status in place', async () => {
    const task = makeTask({ number: 7, status: 'todo' })
    api.listTasks.mockResolvedValue({ tasks: [task], nextCursor: null })
    api.updateTask.mockResolvedValue({ ...task, status: 'done' })
    const { wrapper } = await mountTasks()
    const select = wrapper.get('select[aria-label="Status of WEB-7"]')
    await select.setValue('done')
    await flushPromises()
    expect(api.updateTask).toHaveBeenCalledWith('WEB-7', { status: 'done' })
    expect(select.classes()).toContain('status-select--done')
    expect(notices.at(-1)?.message).toBe('WEB-7 moved to Done.')
  })

  it('puts the status back and says why when the change is refused', async () => {
    const task = makeTask({ number: 8, status: 'todo' })
    api.listTasks.mockResolvedValue({ tasks: [task], nextCursor: null })
    api.updateTask.mockRejectedValue(
      new ApiError({ status: 403, code: 'project_archived', message: 'WEB is archived.' }),
    )
    const { wrapper } = await mountTasks()
    const select = wrapper.get('select[aria-label="Status of WEB-8"]')
    await select.setValue('done')
    await flushPromises()
    expect((select.element as HTMLSelectElement).value).toBe('todo')
    expect(notices.at(-1)).toMatchObject({
      tone: 'error',
      message: expect.stringContaining('archived'),
    })
  })

  it('creates a task in this project and shows it', async () => {
    api.listTasks.mockResolvedValueOnce({ tasks: [], nextCursor: null })
    const { wrapper } = await mountTasks()
    expect(wrapper.get('[data-testid="tasks-empty"]').text()).toContain('No tasks yet')
    const created = makeTask({ number: 1, title: 'First' })
    api.createTask.mockResolvedValue(created)
    api.listTasks.mockResolvedValue({ tasks: [created], nextCursor: null })
    await wrapper.get('.tasks__new').trigger('click')
    await wrapper.get('dialog input[name="title"]').setValue('First')
    await wrapper.get('dialog form').trigger('submit')
    await flushPromises()
    expect(api.createTask).toHaveBeenCalledWith(
      expect.objectContaining({ project: 'WEB', title: 'First' }),
    )
    expect(wrapper.find('dialog').exists()).toBe(false)
    expect(refs(wrapper)).toEqual(['WEB-1'])
  })

  it('offers no changes in an archived project', async () => {
    api.listTasks.mockResolvedValue({ tasks: [makeTask({ number: 9 })], nextCursor: null })
    const { wrapper } = await mountTasks('/projects/WEB', makeProject({ archived: true }))
    expect(wrapper.get('.tasks__new').attributes('disabled')).toBeDefined()
    expect(wrapper.get('select[aria-label="Status of WEB-9"]').attributes('disabled')).toBeDefined()
  })
})
