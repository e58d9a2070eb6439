import type { Project, Task, TokenWithSecret } from '@tessera/api/contract'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ADMIN,
  ApiSession,
  assertBrowserInstalled,
  callWithToken,
  createPerson,
  launchBrowser,
  openAs,
  type RunningServer,
  shoot,
  startServer,
} from './harness'

let server: RunningServer
let browser: Browser
let root: ApiSession

beforeAll(async () => {
  assertBrowserInstalled()
  server = await startServer()
  browser = await launchBrowser()
  root = await ApiSession.signIn(server.baseUrl, ADMIN.email, ADMIN.password)
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

/** A project key no other test uses: A + 4 letters. */
function uniqueKey(letter: string): string {
  const letters = Array.from({ length: 4 }, () =>
    String.fromCharCode(65 + Math.floor(Math.random() * 26)),
  )
  return `${letter}${letters.join('')}`
}

/** One MCP tool call with a token, as an MCP client (Cursor, Claude) makes it. */
async function callTool(token: string, name: string, args: Record<string, unknown>) {
  const response = await fetch(`${server.baseUrl}/api/v1/mcp`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name, arguments: args },
    }),
  })
  const text = await response.text()
  expect(response.status, text).toBe(200)
  // A JSON answer, or one server-sent event carrying it.
  const json = text.startsWith('{') ? text : (/^data: (.*)$/m.exec(text)?.[1] ?? '')
  const body = JSON.parse(json) as { result?: { isError?: boolean } }
  expect(body.result?.isError, text).toBeFalsy()
}

/**
 * A member's project where three things happen to one task: a colleague creates it in the
 * console, the member's MCP client ("Cursor on laptop") changes it and comments, the member's
 * deploy script moves it over REST. Elsewhere, someone else works in a project the member is not
 * in.
 */
async function memberWithAgents() {
  const mia = await createPerson(root, 'member', 'mia')
  const colleague = await createPerson(root, 'member', 'cole')
  const stranger = await createPerson(root, 'member', 'stranger')
  const miaApi = await ApiSession.signIn(server.baseUrl, mia.email, mia.password)
  const coleApi = await ApiSession.signIn(server.baseUrl, colleague.email, colleague.password)
  const strangerApi = await ApiSession.signIn(server.baseUrl, stranger.email, stranger.password)

  const key = uniqueKey('A')
  await miaApi.call<{ project: Project }>('POST', '/projects', { key, name: 'Agents at work' })
  await miaApi.call('POST', `/projects/${key}/members`, { userId: colleague.id })
  const { task } = await coleApi.call<{ task: Task }>('POST', '/tasks', {
    project: key,
    title: 'Speed up the search page',
  })

  const cursor = await miaApi.call<TokenWithSecret>('POST', '/tokens', {
    name: 'Cursor on laptop',
    expiresInDays: 30,
  })
  const deploy = await miaApi.call<TokenWithSecret>('POST', '/tokens', {
    name: 'deploy script',
    expiresInDays: 30,
  })
  await callTool(cursor.secret, 'update_task', {
    ref: task.ref,
    priority: 'high',
    assignee: 'me',
    dueDate: '2031-05-01',
  })
  await callTool(cursor.secret, 'add_comment', {
    ref: task.ref,
    body: 'Profiled it: the query misses an index. Fix in review.',
  })
  const moved = await callWithToken(server.baseUrl, deploy.secret, 'PATCH', `/tasks/${task.ref}`, {
    status: 'done',
  })
  expect(moved.status).toBe(200)

  const hiddenKey = uniqueKey('Z')
  await strangerApi.call('POST', '/projects', { key: hiddenKey, name: 'Not for Mia' })
  await strangerApi.call('POST', '/tasks', { project: hiddenKey, title: 'Secret roadmap' })
  return { mia, colleague, key, hiddenKey, task }
}

const rowsText = async (page: Page) =>
  (await page.getByTestId('activity-row').allTextContents()).map((text) =>
    text.replace(/\s+/g, ' ').trim(),
  )

/** Waits until the table shows exactly `count` rows (it refreshes after each filter). */
async function expectRows(page: Page, count: number) {
  await page.waitForFunction(
    (n) =>
      document.querySelectorAll('[data-testid="activity-row"]').length === n &&
      !document.querySelector('table[aria-busy="true"]'),
    count,
  )
}

describe('activity for everyone, in a real browser', () => {
  it('a member sees what happened in their projects, and filters it to what their tokens did', async () => {
    const { mia, colleague, key, hiddenKey, task } = await memberWithAgents()
    const page = await openAs(browser, server.baseUrl, mia, '/projects')
    // Activity is in the main navigation for members too.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Activity' })
      .click()
    await page.waitForURL((url) => url.pathname === '/activity')
    await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor()
    // Her project's entries and her account's, none of the stranger's project.
    await expectRows(page, 8)
    const all = await rowsText(page)
    expect(all.join('\n')).not.toContain(hiddenKey)
    expect(all.join('\n')).not.toContain('Secret roadmap')
    expect(all.some((row) => row.includes(`created ${task.ref}`))).toBe(true)
    const comment = page.getByTestId('activity-row').filter({ hasText: `commented on ${task.ref}` })
    expect(await comment.getByTestId('via-badge').textContent()).toBe(
      'via MCP · “Cursor on laptop”',
    )
    await shoot(page, '30-activity-member')

    // "All my tokens": what her agent and her script did, and nothing else.
    await page.getByLabel('Token').selectOption({ label: 'All my tokens' })
    await page.waitForURL((url) => url.searchParams.get('token') === 'mine')
    await expectRows(page, 3)
    expect(await page.getByTestId('via-badge').allTextContents()).toEqual([
      'via API · “deploy script”',
      'via MCP · “Cursor on laptop”',
      'via MCP · “Cursor on laptop”',
    ])
    await shoot(page, '31-activity-my-tokens')

    // One token, and one way in.
    await page.getByLabel('Token').selectOption({ label: '“Cursor on laptop”' })
    await expectRows(page, 2)
    await page.getByLabel('Token').selectOption({ label: 'With or without' })
    await page.getByLabel('Via').selectOption({ label: 'REST API' })
    await expectRows(page, 1)
    expect((await rowsText(page))[0]).toContain(`moved ${task.ref} from To do to Done`)

    // A person: her colleague, whom she knows from the project.
    await page.getByRole('button', { name: 'Clear Filters' }).click()
    await expectRows(page, 8)
    await page.getByLabel('Person').selectOption({ value: colleague.id })
    await expectRows(page, 1)
    expect((await rowsText(page))[0]).toContain(`created ${task.ref}`)
    // A project: hers; the stranger's is not offered.
    const projects = await page.getByLabel('Project').locator('option').allTextContents()
    expect(projects).toEqual(['All projects', `Agents at work (${key})`])
    await page.context().close()
  })

  it("a project's Activity tab and a task's history say who did what, when, and through what", async () => {
    const { mia, key, task } = await memberWithAgents()
    const page = await openAs(browser, server.baseUrl, mia, `/projects/${key}`)
    await page.getByRole('link', { name: 'Activity' }).last().click()
    await page.waitForURL((url) => url.searchParams.get('tab') === 'activity')
    await expectRows(page, 6)
    expect((await rowsText(page)).join('\n')).not.toContain('created token')
    await shoot(page, '32-project-activity')

    await page.goto(`/tasks/${task.ref}`)
    const history = page.getByTestId('history-entry')
    await history.first().waitFor()
    const entries = async () =>
      (await history.allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim())
    const told = await entries()
    expect(told).toHaveLength(4)
    expect(told[0]).toMatch(/moved it from To do to Done .*via API · “deploy script”$/)
    expect(told[1]).toMatch(
      /commented .*“Profiled it: the query misses an index\. Fix in review\.”.*via MCP · “Cursor on laptop”$/,
    )
    expect(told[2]).toMatch(
      /set the priority to High, assigned it to .* and set the due date to .*2031.*via MCP · “Cursor on laptop”$/,
    )
    expect(told[3]).toMatch(/Cole \d+ created this task .*via Web$/)
    // The agent's comment carries the same badge; a comment written here does not need one.
    const agentComment = page.getByTestId('comment').filter({ hasText: 'Profiled it' })
    expect(await agentComment.getByTestId('via-badge').textContent()).toBe(
      'via MCP · “Cursor on laptop”',
    )
    await page.getByLabel('Add a comment').fill('Thanks, merging it.')
    await page.getByRole('button', { name: 'Comment', exact: true }).click()
    await page.getByTestId('comment').filter({ hasText: 'Thanks, merging it.' }).waitFor()
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="history-entry"]').length === 5,
    )
    expect((await entries())[0]).toMatch(/commented .*“Thanks, merging it\.”.*via Web$/)
    expect(
      await page
        .getByTestId('comment')
        .filter({ hasText: 'Thanks, merging it.' })
        .getByTestId('via-badge')
        .count(),
    ).toBe(0)
    // The history, under the comments, in view for the desktop picture.
    await page
      .getByRole('heading', { name: /History/ })
      .evaluate((heading) => heading.scrollIntoView({ block: 'center' }))
    await shoot(page, '33-task-history')
    await page.context().close()
  })

  it('an administrator keeps the whole workspace, and the old address leads there', async () => {
    const { hiddenKey } = await memberWithAgents()
    const page = await openAs(browser, server.baseUrl, ADMIN, '/activity')
    await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor()
    await page
      .getByTestId('activity-row')
      .filter({ hasText: `created project ${hiddenKey}` })
      .waitFor()
    await page.goto('/admin/activity?via=mcp')
    await page.waitForURL((url) => url.pathname === '/activity' && url.search === '?via=mcp')
    await page.getByTestId('activity-row').first().waitFor()
    for (const badge of await page.getByTestId('via-badge').allTextContents()) {
      expect(badge).toMatch(/^via MCP/)
    }
    await page.context().close()
  })
})
