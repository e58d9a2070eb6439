import type { Settings, TokenWithSecret } from '@tessera/api/contract'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ADMIN,
  ApiSession,
  assertBrowserInstalled,
  createPerson as createPersonAs,
  launchBrowser,
  newContext,
  openAs as openAsIn,
  type RunningServer,
  shoot,
  signIn,
  startServer,
  useToken,
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

const createPerson = (role: 'admin' | 'member', label: string) => createPersonAs(root, role, label)

const openAs = (person: { email: string; password: string }, path: string): Promise<Page> =>
  openAsIn(browser, server.baseUrl, person, path)

describe('console in a real browser', () => {
  it('a token created in the console works for the API until it is revoked there', async () => {
    const owner = await createPerson('admin', 'owner')
    const context = await newContext(browser, server.baseUrl)
    const page = await context.newPage()

    // Asking for the tokens page while signed out goes to sign-in, then back.
    await page.goto('/tokens')
    await page.waitForURL(/\/sign-in\?redirect=/)
    await shoot(page, '01-sign-in')
    await signIn(page, owner.email, owner.password)
    await page.waitForURL((url) => url.pathname === '/tokens')
    await page.getByRole('heading', { name: 'No tokens yet' }).waitFor()
    await shoot(page, '02-tokens-empty')

    await page.getByRole('button', { name: 'Create New Token' }).click()
    const create = page.getByRole('dialog', { name: 'Create New Token' })
    await create.getByLabel('Name').fill('Cursor MCP')
    await create.getByRole('radio', { name: '7 days' }).check()
    await shoot(page, '03-create-token')
    await create.getByRole('button', { name: 'Create Token' }).click()

    const success = page.getByRole('dialog', { name: 'Token Created' })
    await success.waitFor()
    const shown = await success.getByLabel('Your new API token').inputValue()
    await success.getByRole('button', { name: 'Copy token' }).click()
    await success.getByText('Copied', { exact: true }).waitFor()
    const copied = await page.evaluate(() => navigator.clipboard.readText())
    expect(copied).toBe(shown)
    expect(await success.getByRole('tabpanel').textContent()).toContain(server.baseUrl)
    await shoot(page, '04-token-created')

    const before = await useToken(server.baseUrl, copied)
    expect(before.status).toBe(200)
    expect(before.me.user.email).toBe(owner.email)
    expect(before.me.auth.method).toBe('token')

    await success.getByRole('button', { name: 'Done' }).click()
    const row = page.getByRole('row', { name: /Cursor MCP/ })
    await row.getByText('Active').waitFor()
    await shoot(page, '05-tokens-list')

    await row.getByRole('button', { name: 'Revoke Cursor MCP' }).click()
    const confirm = page.getByRole('alertdialog', { name: 'Revoke “Cursor MCP”?' })
    await shoot(page, '06-revoke-confirm')
    await confirm.getByRole('button', { name: 'Revoke Token' }).click()
    await row.getByText('Revoked', { exact: true }).waitFor()

    const after = await useToken(server.baseUrl, copied)
    expect(after.status).toBe(401)
    expect(after.code).toBe('token_revoked')
    await context.close()
  })

  it('rotating a token shows the new secret once and the old one stops working', async () => {
    const owner = await createPerson('member', 'rotator')
    const session = await ApiSession.signIn(server.baseUrl, owner.email, owner.password)
    const original = await session.call<TokenWithSecret>('POST', '/tokens', {
      name: 'Laptop',
      expiresInDays: 30,
    })
    const page = await openAs(owner, '/tokens')
    await page.getByRole('button', { name: 'Rotate Laptop' }).click()
    await page
      .getByRole('alertdialog', { name: 'Rotate “Laptop”?' })
      .getByRole('button', { name: 'Rotate Token' })
      .click()
    const success = page.getByRole('dialog', { name: 'Token Rotated' })
    const fresh = await success.getByLabel('Your new API token').inputValue()
    expect(fresh).not.toBe(original.secret)
    expect((await useToken(server.baseUrl, fresh)).status).toBe(200)
    expect((await useToken(server.baseUrl, original.secret)).status).toBe(401)
    await page.context().close()
  })

  it('an admin revokes another person’s token from All tokens', async () => {
    const admin = await createPerson('admin', 'auditor')
    const member = await createPerson('member', 'holder')
    const memberSession = await ApiSession.signIn(server.baseUrl, member.email, member.password)
    const { secret } = await memberSession.call<TokenWithSecret>('POST', '/tokens', {
      name: 'Claude Desktop',
      expiresInDays: 30,
    })
    expect((await useToken(server.baseUrl, secret)).status).toBe(200)

    const page = await openAs(admin, '/admin/tokens')
    await page.getByLabel('Owner').selectOption({ label: `${member.name} (${member.email})` })
    await page.waitForURL(/user=/)
    await page.getByLabel('Status').selectOption('active')
    const row = page.getByRole('row', { name: /Claude Desktop/ })
    await row.getByText(member.email).waitFor()
    await shoot(page, '07-all-tokens')
    await row.getByRole('button', { name: 'Revoke Claude Desktop' }).click()
    await page
      .getByRole('alertdialog', { name: 'Revoke “Claude Desktop”?' })
      .getByRole('button', { name: 'Revoke Token' })
      .click()
    await page.getByRole('heading', { name: 'No tokens match these filters' }).waitFor()

    const after = await useToken(server.baseUrl, secret)
    expect(after.status).toBe(401)
    expect(after.code).toBe('token_revoked')

    await page.getByRole('link', { name: 'Users' }).click()
    await page.getByRole('cell', { name: new RegExp(member.email) }).waitFor()
    await shoot(page, '08-users')
    await page.getByRole('link', { name: 'Activity' }).click()
    await page.getByRole('row', { name: /revoked token “Claude Desktop”/ }).waitFor()
    await shoot(page, '09-activity')
    await page.context().close()
  })

  it('a member without ManageApiTokens cannot reach the tokens page and is told why', async () => {
    const admin = await createPerson('admin', 'policymaker')
    const member = await createPerson('member', 'reader')
    const page = await openAs(admin, '/admin/policy')
    const allowed = page.getByLabel('Members can manage their own tokens')
    await expect(allowed.isChecked()).resolves.toBe(true)
    try {
      await allowed.uncheck()
      await page.getByRole('button', { name: 'Save Policy' }).click()
      await page.getByText('Token policy saved').waitFor()
      await shoot(page, '10-token-policy')

      const memberPage = await openAs(member, '/tokens')
      await memberPage
        .getByRole('heading', { name: /You don’t have access to API Tokens/ })
        .waitFor()
      expect(await memberPage.getByRole('main').textContent()).toContain('ManageApiTokens')
      await expect(memberPage.getByRole('link', { name: 'API Tokens' }).count()).resolves.toBe(0)
      await memberPage.getByRole('button', { name: /Member/ }).click()
      const menu = memberPage.getByRole('menu', { name: 'Account' })
      await menu.getByRole('menuitem', { name: 'Sign Out' }).waitFor()
      await expect(menu.getByRole('menuitem', { name: 'API Tokens' }).count()).resolves.toBe(0)
      await shoot(memberPage, '11-missing-permission')
      await memberPage.context().close()
    } finally {
      const settings = await root.call<Settings>('GET', '/admin/settings')
      await root.call('PUT', '/admin/settings', { ...settings, membersCanManageTokens: true })
    }
    await page.context().close()
  })

  it('signing out in the console ends the session on the server, not only in the tab', async () => {
    const person = await createPerson('member', 'leaver')
    const page = await openAs(person, '/projects')
    const cookies = await page.context().cookies()
    const session = cookies.find((cookie) => cookie.name === 'tessera_session')
    expect(session).toBeDefined()
    const asBefore = () =>
      fetch(`${server.baseUrl}/api/v1/me`, {
        headers: { Cookie: `${session?.name}=${session?.value}` },
      })
    expect((await asBefore()).status).toBe(200)

    // The logout carries the CSRF token and the page's origin, which the server requires.
    await page.getByRole('button', { name: /Leaver/ }).click()
    await page
      .getByRole('menu', { name: 'Account' })
      .getByRole('menuitem', { name: 'Sign Out' })
      .click()
    await page.getByRole('heading', { name: 'Sign in to Tessera' }).waitFor()
    await expect(page.getByText('signed out of this tab only').count()).resolves.toBe(0)
    expect((await asBefore()).status).toBe(401)
    await page.context().close()
  })
})
