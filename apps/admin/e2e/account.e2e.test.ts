import type { TokenWithSecret } from '@tessera/api/contract'
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

const NEW_PASSWORD = 'my-own-new-password-2026'

const createPerson = (role: 'admin' | 'member', label: string) => createPersonAs(root, role, label)

const openAs = (person: { email: string; password: string }, path: string): Promise<Page> =>
  openAsIn(browser, server.baseUrl, person, path)

/** Fills the password change form, wherever it is shown. */
async function changePassword(page: Page, current: string, next: string) {
  await page.getByLabel('Current Password').fill(current)
  await page.getByLabel('New Password', { exact: true }).fill(next)
  await page.getByLabel('Confirm New Password').fill(next)
}

/** What the API says to a sign-in with this password: 200, or the refusal's status. */
async function signInStatus(email: string, password: string): Promise<number> {
  const response = await fetch(`${server.baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: server.baseUrl },
    body: JSON.stringify({ email, password }),
  })
  return response.status
}

describe('account self-service in a real browser', () => {
  it('changing the password on the Account page signs the other sessions out and keeps this one', async () => {
    const person = await createPerson('member', 'changer')
    // Signed in elsewhere too: another browser, and a script holding a session cookie.
    const laptop = await openAs(person, '/projects')
    const script = await ApiSession.signIn(server.baseUrl, person.email, person.password)

    const page = await openAs(person, '/projects')
    await page.getByRole('button', { name: new RegExp(person.name) }).click()
    await page.getByRole('menuitem', { name: 'Account' }).click()
    await page.waitForURL((url) => url.pathname === '/account')
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor()

    const sessions = page.getByRole('table', { name: 'Your console sessions' })
    await expect.poll(() => sessions.locator('tbody tr').count()).toBe(3)
    const current = sessions.getByRole('row', { name: /This session/ })
    await current.getByText('127.0.0.1').waitFor()
    expect(await current.textContent()).toMatch(/Chrome \d+ on Linux/)
    await shoot(page, 'account-01-sessions')

    // The script's session is signed out from the list; its cookie stops working at once.
    const scriptRow = sessions.getByRole('row').filter({ hasNotText: 'Chrome' })
    await scriptRow.getByRole('button', { name: /^Sign Out/ }).click()
    await page.getByText('is signed out.').first().waitFor()
    await expect.poll(() => sessions.locator('tbody tr').count()).toBe(2)
    await expect(script.call('GET', '/me')).rejects.toThrow(/401/)

    await changePassword(page, person.password, NEW_PASSWORD)
    await shoot(page, 'account-02-change-password')
    await page.getByRole('button', { name: 'Change Password' }).click()
    await page.getByText('Password changed. 1 other session signed out.').waitFor()
    await expect.poll(() => sessions.locator('tbody tr').count()).toBe(1)
    await shoot(page, 'account-03-password-changed')

    // This browser is still signed in; the laptop's next request finds its session gone.
    await page.getByRole('link', { name: 'Projects' }).first().click()
    await page.waitForURL((url) => url.pathname === '/projects')
    await laptop.getByRole('link', { name: 'API Tokens' }).click()
    await laptop.waitForURL(/\/sign-in\?/)
    await laptop.getByText('Your session ended.').waitFor()

    expect(await signInStatus(person.email, person.password)).toBe(401)
    expect(await signInStatus(person.email, NEW_PASSWORD)).toBe(200)
    await laptop.context().close()
    await page.context().close()
  })

  it('a wrong current password is refused on its field and nothing changes', async () => {
    const person = await createPerson('member', 'mistyper')
    const page = await openAs(person, '/account')
    await changePassword(page, 'not-my-password-at-all', NEW_PASSWORD)
    await page.getByRole('button', { name: 'Change Password' }).click()
    await page.getByText('The current password is wrong.').waitFor()
    expect(await page.getByLabel('Current Password').getAttribute('aria-invalid')).toBe('true')
    expect(await signInStatus(person.email, person.password)).toBe(200)
    await page.context().close()
  })

  it('an admin requires a new password: the person is signed out, must choose one at the next sign-in, and their token keeps working', async () => {
    const admin = await createPerson('admin', 'keeper')
    const person = await createPerson('member', 'forced')
    const personApi = await ApiSession.signIn(server.baseUrl, person.email, person.password)
    const { secret } = await personApi.call<TokenWithSecret>('POST', '/tokens', {
      name: 'Agent',
      expiresInDays: 30,
    })
    const before = await openAs(person, '/projects')

    const adminPage = await openAs(admin, '/admin/users')
    const row = adminPage.getByRole('row', { name: new RegExp(person.email) })
    await row.getByRole('button', { name: `Require Password Change for ${person.name}` }).click()
    const confirm = adminPage.getByRole('alertdialog', {
      name: `Require a Password Change for ${person.name}?`,
    })
    await confirm.getByText('Their API tokens keep working.').waitFor()
    await shoot(adminPage, 'account-04-require-change-confirm')
    await confirm.getByRole('button', { name: 'Require Password Change' }).click()
    await adminPage
      .getByText(/must choose a new password at their next sign-in\. 2 sessions were signed out\./)
      .waitFor()
    await row.getByText('New password required').waitFor()
    await shoot(adminPage, 'account-05-users-change-required')

    // Signed out everywhere; the token is a separate credential and keeps working.
    await before.reload()
    await before.waitForURL(/\/sign-in\?/)
    expect((await useToken(server.baseUrl, secret)).status).toBe(200)

    // The next sign-in leads to the change-password screen, and nowhere else until it is done.
    const context = await newContext(browser, server.baseUrl)
    const page = await context.newPage()
    await page.goto('/tokens')
    await page.waitForURL(/\/sign-in\?/)
    await signIn(page, person.email, person.password)
    await page.waitForURL((url) => url.pathname === '/change-password')
    await page.getByRole('heading', { name: 'Choose a New Password' }).waitFor()
    await shoot(page, 'account-06-forced-change')
    await page.goto('/projects')
    await page.waitForURL((url) => url.pathname === '/change-password')

    await changePassword(page, person.password, NEW_PASSWORD)
    await page.getByRole('button', { name: 'Change Password' }).click()
    await page.waitForURL((url) => url.pathname === '/projects')
    await page.getByText('Password changed. Welcome back.').waitFor()
    await page.goto('/tokens')
    await page.getByRole('row', { name: /Agent/ }).waitFor()

    expect((await useToken(server.baseUrl, secret)).status).toBe(200)
    await adminPage.reload()
    await adminPage
      .getByRole('row', { name: new RegExp(person.email) })
      .getByRole('button', { name: `Require Password Change for ${person.name}` })
      .waitFor()
    await Promise.all([before, adminPage, page].map((p) => p.context().close()))
  })
})
