import type { Activity, Comment, Task, TaskWithComments } from '@tessera/api/contract'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '../src/api/client'
import { notices } from '../src/stores/notices'
import TaskView from '../src/views/workspace/task-view.vue'
import {
  makeActivity,
  makeComment,
  makeMember,
  makeProject,
  makeTask,
  makeUserRef,
} from './fixtures'
import { routerAt } from './router'

const tasksApi = vi.hoisted(() => ({
  listTasks: vi.fn(),
  createTask: vi.fn(),
  getTask: vi.fn<(ref: string) => Promise<TaskWithComments>>(),
  updateTask: vi.fn<(ref: string, body: Record<string, unknown>) => Promise<Task>>(),
  addComment: vi.fn<(ref: string, body: { body: string }) => Promise<Comment>>(),
}))
vi.mock('../src/api/tasks', () => tasksApi)
const projectsApi = vi.hoisted(() => ({
  getProject: vi.fn(),
  listMembers: vi.fn(),
}))
vi.mock('../src/api/projects', () => projectsApi)
const activityApi = vi.hoisted(() => ({
  listActivity: vi.fn(async () => ({ activity: [] as Activity[], nextCursor: null })),
}))
vi.mock('../src/api/activity', () => activityApi)

const ada = makeUserRef({ name: 'Ada Lovelace' })

beforeEach(() => {
  notices.splice(0)
  projectsApi.getProject.mockResolvedValue(makeProject({ key: 'WEB' }))
  projectsApi.listMembers.mockResolvedValue([makeMember({ user: ada })])
})

afterEach(() => {
  document.body.innerHTML = ''
})

async function mountTask(task: Task, comments: Comment[] = []) {
  tasksApi.getTask.mockResolvedValue({ task, comments })
  const router = await routerAt(`/tasks/${task.ref}`)
  const wrapper = mount(TaskView, { attachTo: document.body, global: { plugins: [router] } })
  await flushPromises()
  // The Markdown parser is loaded when the first description or comment shows.
  await vi.dynamicImportSettled()
  await flushPromises()
  return wrapper
}

describe('task page', () => {
  it('shows the title, the project and the properties', async () => {
    const wrapper = await mountTask(
      makeTask({ number: 3, title: 'Fix login', priority: 'high', assignee: ada }),
    )
    expect(tasksApi.getTask).toHaveBeenCalledWith('WEB-3')
    expect(wrapper.get('h1').text()).toBe('Fix login')
    expect(wrapper.get('.breadcrumbs').text()).toContain('Website')
    expect((wrapper.get('select[aria-label="Status"]').element as HTMLSelectElement).value).toBe(
      'todo',
    )
    expect(wrapper.text()).toContain('Ada Lovelace')
  })

  it('renders the Markdown description without running any HTML in it', async () => {
    const wrapper = await mountTask(
      makeTask({ description: '**Steps**\n\n- one\n- two\n\n<img src=x onerror="alert(1)">' }),
    )
    const description = wrapper.get('[data-testid="task-description"]')
    expect(description.get('strong').text()).toBe('Steps')
    expect(description.findAll('li')).toHaveLength(2)
    expect(description.find('img').exists()).toBe(false)
    expect(description.text()).toContain('<img src=x onerror="alert(1)">')
  })

  it('saves a status change and says so', async () => {
    const task = makeTask({ number: 4 })
    tasksApi.updateTask.mockResolvedValue({ ...task, status: 'in_progress' })
    const wrapper = await mountTask(task)
    await wrapper.get('select[aria-label="Status"]').setValue('in_progress')
    await flushPromises()
    expect(tasksApi.updateTask).toHaveBeenCalledWith('WEB-4', { status: 'in_progress' })
    expect(notices.at(-1)?.message).toBe('Moved to In progress.')
  })

  it('assigns to a member, and puts the choice back when the server refuses', async () => {
    const task = makeTask({ number: 5 })
    tasksApi.updateTask.mockRejectedValueOnce(
      new ApiError({ status: 400, code: 'assignee_not_member', message: 'Not a member.' }),
    )
    const wrapper = await mountTask(task)
    const assignee = wrapper.get('select[id$="-assignee"]')
    await assignee.setValue(ada.id)
    await flushPromises()
    expect(tasksApi.updateTask).toHaveBeenCalledWith('WEB-5', { assignee: ada.id })
    expect((assignee.element as HTMLSelectElement).value).toBe('')
    expect(notices.at(-1)).toMatchObject({
      tone: 'error',
      message: expect.stringContaining('Not a member.'),
    })
  })

  it('edits the title in place', async () => {
    const task = makeTask({ number: 6, title: 'Old' })
    tasksApi.updateTask.mockResolvedValue({ ...task, title: 'New title' })
    const wrapper = await mountTask(task)
    await wrapper.get('button[aria-label="Edit title"]').trigger('click')
    await wrapper.get('.task__title-input').setValue('New title')
    await wrapper.get('.task__title-form').trigger('submit')
    await flushPromises()
    expect(tasksApi.updateTask).toHaveBeenCalledWith('WEB-6', { title: 'New title' })
    expect(wrapper.get('h1').text()).toBe('New title')
  })

  it('lists comments and adds one', async () => {
    const task = makeTask({ number: 7 })
    const wrapper = await mountTask(task, [makeComment({ body: 'First *look*' })])
    expect(wrapper.findAll('[data-testid="comment"]')).toHaveLength(1)
    expect(wrapper.get('[data-testid="comment"] em').text()).toBe('look')
    tasksApi.addComment.mockResolvedValue(makeComment({ body: 'Done on my side' }))
    await wrapper.get('textarea').setValue('  Done on my side ')
    await wrapper.get('.task__comment-form').trigger('submit')
    await flushPromises()
    expect(tasksApi.addComment).toHaveBeenCalledWith('WEB-7', { body: 'Done on my side' })
    expect(wrapper.findAll('[data-testid="comment"]')).toHaveLength(2)
    expect((wrapper.get('textarea').element as HTMLTextAreaElement).value).toBe('')
  })

  it('a comment written with a token carries its via badge; one from the console does not', async () => {
    const task = makeTask({ number: 8 })
    const wrapper = await mountTask(task, [
      makeComment({
        body: 'Looked into it',
        via: 'mcp',
        token: { id: '10000000-0000-4000-8000-000000000321', name: 'Cursor on laptop' },
      }),
      makeComment({ body: 'Thanks', via: 'web', token: null }),
      makeComment({ body: 'From before', via: null, token: null }),
    ])
    const comments = wrapper.findAll('[data-testid="comment"]')
    expect(comments[0]?.get('[data-testid="via-badge"]').text()).toBe(
      'via MCP · “Cursor on laptop”',
    )
    expect(comments[1]?.find('[data-testid="via-badge"]').exists()).toBe(false)
    expect(comments[2]?.find('[data-testid="via-badge"]').exists()).toBe(false)
  })

  it("shows the task's history under its comments, and reads it again after a change here", async () => {
    activityApi.listActivity.mockResolvedValue({
      activity: [makeActivity({ action: 'task.created', actor: ada })],
      nextCursor: null,
    })
    const task = makeTask({ number: 9 })
    const wrapper = await mountTask(task)
    expect(activityApi.listActivity).toHaveBeenLastCalledWith({
      task: 'WEB-9',
      cursor: undefined,
      limit: 20,
    })
    expect(wrapper.get('[data-testid="history-entry"]').text()).toContain(
      'Ada Lovelace created this task',
    )
    const calls = activityApi.listActivity.mock.calls.length
    tasksApi.updateTask.mockResolvedValue({ ...task, priority: 'high' })
    await wrapper.get('select[id$="-priority"]').setValue('high')
    await flushPromises()
    expect(activityApi.listActivity.mock.calls.length).toBe(calls + 1)
  })

  it('is read-only in an archived project', async () => {
    projectsApi.getProject.mockResolvedValue(makeProject({ key: 'WEB', archived: true }))
    const wrapper = await mountTask(makeTask())
    expect(wrapper.find('[data-testid="archived-note"]').exists()).toBe(true)
    expect(wrapper.get('select[aria-label="Status"]').attributes('disabled')).toBeDefined()
    expect(wrapper.find('.task__comment-form').exists()).toBe(false)
    expect(wrapper.find('button[aria-label="Edit title"]').exists()).toBe(false)
  })

  it('says the task was not found for a task outside your projects', async () => {
    tasksApi.getTask.mockRejectedValue(
      new ApiError({ status: 404, code: 'not_found', message: 'Task not found' }),
    )
    const router = await routerAt('/tasks/OPS-1')
    const wrapper = mount(TaskView, { attachTo: document.body, global: { plugins: [router] } })
    await flushPromises()
    expect(wrapper.get('[data-testid="missing-item"] h1').text()).toBe('Task not found')
    expect(wrapper.text()).toContain('OPS-1')
  })
})
