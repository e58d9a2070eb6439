import type { TaskWithComments, TokenWithSecret } from '@tessera/api/contract'
import type { Browser } from 'playwright-core'
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

/** A project key no other test uses: W + 4 letters. */
function uniqueKey(): string {
  const letters = Array.from({ length: 4 }, () =>
    String.fromCharCode(65 + Math.floor(Math.random() * 26)),
  )
  return `W${letters.join('')}`
}

describe('workspace in a real browser', () => {
  it('a token has the same access as you in the UI: it reads the task you made, others get 404', async () => {
    const member = await createPerson(root, 'member', 'maker')
    const colleague = await createPerson(root, 'member', 'colleague')
    const outsider = await createPerson(root, 'member', 'outsider')
    const key = uniqueKey()
    const ref = `${key}-1`

    // A project, made in the console.
    const page = await openAs(browser, server.baseUrl, member, '/projects')
    await page.getByTestId('projects-empty').waitFor()
    await page.getByRole('button', { name: 'New Project' }).click()
    const newProject = page.getByRole('dialog', { name: 'New Project' })
    await newProject.getByLabel('Name').fill('Website relaunch')
    expect(await newProject.getByLabel('Key').inputValue()).toBe('WR')
    await newProject.getByLabel('Key').fill(key.toLowerCase())
    expect(await newProject.getByLabel('Key').inputValue()).toBe(key)
    await newProject
      .getByLabel(/Description/)
      .fill('The **new** public website, launching in spring.')
    await shoot(page, '13-create-project')
    await newProject.getByRole('button', { name: 'Create Project' }).click()
    await page.waitForURL((url) => url.pathname === `/projects/${key}`)
    await page.getByRole('heading', { name: /Website relaunch/ }).waitFor()
    await page.getByRole('heading', { name: 'No tasks yet' }).waitFor()
    // Its description is Markdown, like a task's.
    const projectDescription = page.getByTestId('project-description')
    expect(await projectDescription.locator('strong').textContent()).toBe('new')
    expect(await projectDescription.textContent()).not.toContain('**')

    // A task in it, with Markdown that must stay text.
    await page.getByRole('button', { name: 'New Task' }).click()
    const newTask = page.getByRole('dialog', { name: 'New Task' })
    await newTask.getByLabel('Title').fill('Fix the sign-up form on mobile')
    await newTask
      .getByLabel(/Description/)
      .fill(
        [
          'The **submit** button is hidden behind the keyboard.',
          '',
          '- reproduce on a phone',
          '- move the button up',
          '',
          'See [the report](https://example.com/report) and <img src=x onerror="window.pwned=1">.',
        ].join('\n'),
      )
    await newTask.getByLabel('Priority').selectOption('high')
    await newTask.getByLabel('Assignee').selectOption({ label: 'Me' })
    await shoot(page, '14-create-task')
    await newTask.getByRole('button', { name: 'Create Task' }).click()
    const row = page.getByRole('row', { name: new RegExp(ref) })
    await row.getByText('Fix the sign-up form on mobile').waitFor()
    expect(await row.textContent()).toContain(member.name)

    // Its status, changed inline.
    await row.getByLabel(`Status of ${ref}`).selectOption('done')
    await page.getByText(`${ref} moved to Done.`).waitFor()
    await shoot(page, '15-project-tasks')

    // Its page: the description rendered safely, and a comment.
    await row.getByRole('link', { name: /Fix the sign-up form/ }).click()
    await page.waitForURL((url) => url.pathname === `/tasks/${ref}`)
    const description = page.getByTestId('task-description')
    await description.getByText('reproduce on a phone').waitFor()
    expect(await description.locator('strong').textContent()).toBe('submit')
    expect(await description.locator('li').count()).toBe(2)
    const link = description.getByRole('link', { name: 'the report' })
    expect(await link.getAttribute('href')).toBe('https://example.com/report')
    expect(await link.getAttribute('rel')).toContain('noopener')
    expect(await description.textContent()).toContain('<img src=x onerror="window.pwned=1">')
    expect(await description.locator('img').count()).toBe(0)
    expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined()
    expect(await page.getByLabel('Status').inputValue()).toBe('done')

    await page.getByLabel('Add a comment').fill('Shipped in **v2**, checked on two phones.')
    await page.getByRole('button', { name: 'Comment' }).click()
    const comment = page.getByTestId('comment').filter({ hasText: 'checked on two phones' })
    await comment.waitFor()
    expect(await comment.locator('strong', { hasText: 'v2' }).count()).toBe(1)
    await shoot(page, '16-task')

    // A colleague joins from the members panel (the outsider stays out).
    await page.getByRole('link', { name: 'Website relaunch' }).click()
    await page.getByRole('link', { name: /Members/ }).click()
    await page.getByLabel('Add someone by email').fill(colleague.email)
    await page.getByRole('button', { name: 'Add', exact: true }).click()
    await page.getByRole('row', { name: new RegExp(colleague.name) }).waitFor()
    expect(await page.getByTestId('member-row').count()).toBe(2)
    await shoot(page, '17-project-members')

    // The project list shows it, with the member's role.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Projects' })
      .click()
    const projectRow = page.getByRole('row', { name: /Website relaunch/ })
    await projectRow.getByText('Owner').waitFor()
    expect(await projectRow.locator('strong').textContent()).toBe('new')
    await shoot(page, '18-projects')

    // A token limited to this project, made in the console.
    await page.goto('/tokens')
    await page.getByRole('button', { name: 'Create New Token' }).click()
    const create = page.getByRole('dialog', { name: 'Create New Token' })
    await create.getByLabel('Name').fill('Cursor MCP')
    await create.getByText('Only some projects').click()
    await create.getByRole('checkbox', { name: new RegExp(key) }).check()
    await shoot(page, '19-create-token-projects')
    await create.getByRole('button', { name: 'Create Token' }).click()
    const success = page.getByRole('dialog', { name: 'Token Created' })
    const secret = await success.getByLabel('Your new API token').inputValue()
    await success.getByRole('button', { name: 'Done' }).click()
    const tokenRow = page.getByRole('row', { name: /Cursor MCP/ })
    expect(await tokenRow.getByTestId('token-access').textContent()).toMatch(
      new RegExp(`Full access\\s*· limited to\\s*${key}`),
    )

    // The token sees exactly what the member saw in the console.
    const read = await callWithToken<TaskWithComments>(
      server.baseUrl,
      secret,
      'GET',
      `/tasks/${ref}`,
    )
    expect(read.status).toBe(200)
    expect(read.body.task.title).toBe('Fix the sign-up form on mobile')
    expect(read.body.task.status).toBe('done')
    expect(read.body.task.priority).toBe('high')
    expect(read.body.task.assignee?.email).toBe(member.email)
    expect(read.body.comments.map((entry) => entry.body)).toEqual([
      'Shipped in **v2**, checked on two phones.',
    ])
    const commented = await callWithToken(
      server.baseUrl,
      secret,
      'POST',
      `/tasks/${ref}/comments`,
      {
        body: 'Verified from the API.',
      },
    )
    expect(commented.status).toBe(201)

    // Someone who is not a member gets 404, with a token as in the console.
    const outsiderSession = await ApiSession.signIn(
      server.baseUrl,
      outsider.email,
      outsider.password,
    )
    const foreign = await outsiderSession.call<TokenWithSecret>('POST', '/tokens', {
      name: 'Outsider script',
      expiresInDays: 7,
    })
    const denied = await callWithToken(server.baseUrl, foreign.secret, 'GET', `/tasks/${ref}`)
    expect(denied.status).toBe(404)
    expect(denied.body.code).toBe('not_found')
    const outsiderPage = await openAs(browser, server.baseUrl, outsider, `/tasks/${ref}`)
    await outsiderPage.getByRole('heading', { name: 'Task not found' }).waitFor()
    await outsiderPage.context().close()

    // The reload shows the token's comment next to the member's.
    await page.goto(`/tasks/${ref}`)
    await page.getByTestId('comment').filter({ hasText: 'Verified from the API.' }).waitFor()
    await page.context().close()

    // An admin reads all of it in the activity feed, including which token did what.
    const admin = await openAs(browser, server.baseUrl, ADMIN, '/activity')
    await admin.getByRole('row', { name: new RegExp(`moved ${ref} from To do to Done`) }).waitFor()
    const viaToken = admin.getByRole('row', { name: new RegExp(`commented on ${ref}`) }).first()
    expect(await viaToken.getByTestId('via-badge').textContent()).toBe('via API · “Cursor MCP”')
    await admin.getByRole('row', { name: new RegExp(`created project ${key}`) }).waitFor()
    await shoot(admin, '20-activity-workspace')
    await admin.context().close()
  })
})
