import type { SetupStatus } from '@tessera/api/contract'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ApiSession,
  assertBrowserInstalled,
  launchBrowser,
  newContext,
  type RunningServer,
  shoot,
  startServer,
} from './harness'

// A server as a fresh self-hosted install starts: no TESSERA_ADMIN_*, so no users at all.
let server: RunningServer
let browser: Browser

beforeAll(async () => {
  assertBrowserInstalled()
  server = await startServer({ firstAdmin: false })
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

const setupStatus = async () =>
  (await (await fetch(`${server.baseUrl}/api/v1/setup`)).json()) as SetupStatus

/** The code from the server's start banner, as the person installing Tessera reads it. */
function setupCode(): string {
  if (!server.setupCode) throw new Error('the server printed no setup code')
  return server.setupCode
}

describe('first run in a real browser', () => {
  it('a server without users offers to create the first admin, who lands signed in', async () => {
    expect(await setupStatus()).toEqual({ needsSetup: true })
    expect(setupCode()).toMatch(/^[A-Z0-9]{4}(-[A-Z0-9]{4})+$/)
    const context = await newContext(browser, server.baseUrl)
    const page = await context.newPage()

    await page.goto('/')
    await page.waitForURL(/\/sign-in/)
    await page.getByRole('heading', { name: 'Create the first admin account' }).waitFor()
    await expect(page.getByRole('button', { name: 'Sign In' }).count()).resolves.toBe(0)

    const person = {
      name: 'Grace Hopper',
      email: 'grace@first-run.test',
      password: 'first-admin-password-1',
    }
    const codeField = page.getByLabel('Setup code')
    await page.getByText('Printed in the server’s output when it started').waitFor()
    await page.getByLabel('Your name').fill(person.name)
    await page.getByLabel('Email').fill(person.email)
    await page.getByLabel('Password', { exact: true }).fill(person.password)
    await page.getByLabel('Confirm password').fill('not the same password')
    await page.getByRole('button', { name: 'Create Admin Account' }).click()
    await page.getByText('The two passwords are not the same.').waitFor()
    expect(await setupStatus()).toEqual({ needsSetup: true })

    await page.getByLabel('Confirm password').fill(person.password)
    // Everything right but the code: refused on the code's field, and nobody is created.
    await codeField.fill('AAAA-BBBB-CCCC')
    await page.getByRole('button', { name: 'Create Admin Account' }).click()
    await page.getByText('The setup code is wrong.').waitFor()
    expect(await codeField.getAttribute('aria-invalid')).toBe('true')
    const describedBy = await codeField.getAttribute('aria-describedby')
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toContain(
      'The setup code is wrong.',
    )
    expect(await setupStatus()).toEqual({ needsSetup: true })
    await shoot(page, '12-first-run-setup-code-wrong')

    await codeField.fill(setupCode())
    await shoot(page, '12-first-run-setup')
    await page.getByRole('button', { name: 'Create Admin Account' }).click()

    // Signed in, on the console home, as an admin.
    await page.waitForURL((url) => url.pathname === '/projects')
    await page.getByRole('heading', { name: 'Projects' }).waitFor()
    const menu = page.getByRole('button', { name: /Grace Hopper/ })
    expect(await menu.textContent()).toContain('Admin')
    await page.getByRole('link', { name: 'Users' }).waitFor()

    // The door is closed behind them: no second first admin, not even with the code that was
    // used, and the form is gone.
    expect(await setupStatus()).toEqual({ needsSetup: false })
    const again = await fetch(`${server.baseUrl}/api/v1/setup`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: server.baseUrl },
      body: JSON.stringify({
        name: 'Mallory',
        email: 'm@evil.test',
        password: 'x'.repeat(16),
        setupCode: setupCode(),
      }),
    })
    expect(again.status).toBe(409)
    expect(((await again.json()) as { code: string }).code).toBe('setup_done')

    const fresh = await (await newContext(browser, server.baseUrl)).newPage()
    await fresh.goto('/sign-in')
    await fresh.getByRole('heading', { name: 'Sign in to Tessera' }).waitFor()
    await expect(
      fresh.getByRole('heading', { name: 'Create the first admin account' }).count(),
    ).resolves.toBe(0)

    // And the account is a real one: its password signs in.
    await expect(
      ApiSession.signIn(server.baseUrl, person.email, person.password),
    ).resolves.toBeInstanceOf(ApiSession)
    await fresh.context().close()
    await context.close()
  })
})
