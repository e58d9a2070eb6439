import type { Project } from '@tessera/api/contract'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '../src/api/client'
import ProjectsView from '../src/views/workspace/projects-view.vue'
import { makeProject } from './fixtures'
import { routerAt } from './router'

const api = vi.hoisted(() => ({
  listProjects: vi.fn<(options?: { includeArchived?: boolean }) => Promise<Project[]>>(),
  createProject: vi.fn(),
}))
vi.mock('../src/api/projects', () => api)

afterEach(() => {
  document.body.innerHTML = ''
})

async function mountView(path = '/projects') {
  const router = await routerAt(path, ProjectsView)
  const wrapper = mount(ProjectsView, { attachTo: document.body, global: { plugins: [router] } })
  await flushPromises()
  return { wrapper, router }
}

describe('projects page', () => {
  it('lists projects by name, archived ones last, each linking to its page', async () => {
    api.listProjects.mockResolvedValue([
      makeProject({ key: 'OLD', name: 'Archive me', archived: true, myRole: 'member' }),
      makeProject({ key: 'WEB', name: 'Website', myRole: 'owner' }),
      makeProject({ key: 'API', name: 'Backend', myRole: null }),
    ])
    const { wrapper } = await mountView('/projects?archived=1')
    expect(api.listProjects).toHaveBeenLastCalledWith({ includeArchived: true })
    const rows = wrapper.findAll('[data-testid="project-row"]')
    expect(rows.map((row) => row.get('a').text())).toEqual(['Backend', 'Website', 'Archive me'])
    expect(rows[0]?.text()).toContain('Admin access')
    expect(rows[1]?.get('a').attributes('href')).toBe('/projects/WEB')
    expect(rows[2]?.text()).toContain('Archived')
  })

  it('renders a project’s description as Markdown, its HTML as text', async () => {
    api.listProjects.mockResolvedValue([
      makeProject({ key: 'WEB', description: 'The **new** site <img src=x onerror="alert(1)">' }),
    ])
    const { wrapper } = await mountView()
    // The Markdown parser is loaded when the first description shows.
    await vi.dynamicImportSettled()
    await flushPromises()
    const description = wrapper.get('[data-testid="project-row"] .projects__description')
    expect(description.get('strong').text()).toBe('new')
    expect(description.text()).not.toContain('**')
    expect(description.find('img').exists()).toBe(false)
    expect(description.text()).toContain('<img src=x onerror="alert(1)">')
  })

  it('shows archived projects when asked, through the address', async () => {
    api.listProjects.mockResolvedValue([])
    const { wrapper, router } = await mountView()
    expect(api.listProjects).toHaveBeenLastCalledWith({ includeArchived: false })
    await wrapper.get('input[type="checkbox"]').setValue(true)
    await flushPromises()
    expect(router.currentRoute.value.query.archived).toBe('1')
    expect(api.listProjects).toHaveBeenLastCalledWith({ includeArchived: true })
  })

  it('has an empty state that offers to create a project', async () => {
    api.listProjects.mockResolvedValue([])
    const { wrapper } = await mountView()
    const empty = wrapper.get('[data-testid="projects-empty"]')
    expect(empty.text()).toContain('No projects yet')
    await empty.get('button').trigger('click')
    expect(wrapper.get('dialog h2').text()).toBe('New Project')
  })

  it('creates a project and opens it', async () => {
    api.listProjects.mockResolvedValue([])
    api.createProject.mockResolvedValue(makeProject({ key: 'WEB', name: 'Website' }))
    const { wrapper, router } = await mountView()
    await wrapper.get('.page-actions button').trigger('click')
    await wrapper.get('dialog input[name="name"]').setValue('Website')
    await wrapper.get('dialog form').trigger('submit')
    await flushPromises()
    expect(api.createProject).toHaveBeenCalledWith({
      key: 'WEB',
      name: 'Website',
      description: '',
    })
    expect(router.currentRoute.value.fullPath).toBe('/projects/WEB')
  })

  it('keeps the dialog open with the reason when the key is taken', async () => {
    api.listProjects.mockResolvedValue([])
    api.createProject.mockRejectedValue(
      new ApiError({ status: 409, code: 'project_key_taken', message: 'WEB is taken.' }),
    )
    const { wrapper } = await mountView()
    await wrapper.get('.page-actions button').trigger('click')
    await wrapper.get('dialog input[name="name"]').setValue('Website')
    await wrapper.get('dialog form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('dialog').exists()).toBe(true)
    expect(wrapper.get('dialog').text()).toContain('WEB is taken.')
  })

  it('shows an error with a retry when projects cannot be loaded', async () => {
    api.listProjects.mockRejectedValueOnce(new Error('offline'))
    const { wrapper } = await mountView()
    expect(wrapper.get('[role="alert"]').text()).toContain('Could not load projects')
    api.listProjects.mockResolvedValue([makeProject()])
    await wrapper.get('[role="alert"] button').trigger('click')
    await flushPromises()
    expect(wrapper.findAll('[data-testid="project-row"]')).toHaveLength(1)
  })
})
