import type { TokenDetail, TokenWithSecret } from '@tessera/api/contract'
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

/*
 * Tokens explain their own use: a token used by an MCP client and a script shows who used it last
 * in the list, and its page shows the daily requests, the clients and addresses and what was done
 * with it; a token about to expire is announced with Rotate.
 */

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

/** An MCP POST as a client sends it (its User-Agent says only "node"). */
function mcp(secret: string, body: unknown) {
  return fetch(`${server.baseUrl}/api/v1/mcp`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${secret}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'User-Agent': 'node',
    },
    body: JSON.stringify(body),
  })
}

/** Waits (with a deadline) until the server has written the token's use: it does so in batches. */
async function usageWritten(session: ApiSession, id: string, requests: number) {
  const deadline = Date.now() + 30_000
  for (;;) {
    const detail = await session.call<TokenDetail>('GET', `/tokens/${id}`)
    const today = detail.usage.days.at(-1)?.requests ?? 0
    if (today >= requests && detail.token.lastUsedAt) return detail
    if (Date.now() > deadline) throw new Error(`usage not written: ${JSON.stringify(detail.usage)}`)
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}

describe('token usage and expiry in a real browser', () => {
  it('the list says who used a token last; its page shows the chart, clients, addresses and activity', async () => {
    const person = await createPerson(root, 'member', 'usage')
    const session = await ApiSession.signIn(server.baseUrl, person.email, person.password)
    const { token, secret } = await session.call<TokenWithSecret>('POST', '/tokens', {
      name: 'Cursor on laptop',
      expiresInDays: 30,
    })
    // An MCP client: initialize names it, the next request does not.
    const init = await mcp(secret, {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'Cursor', version: '1.7' },
      },
    })
    expect(init.status).toBe(200)
    const project = await mcp(secret, {
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'list_projects', arguments: {} },
    })
    expect(project.status).toBe(200)
    // The same token from a script, which also makes a change.
    const created = await callWithToken(server.baseUrl, secret, 'POST', '/projects', {
      key: 'USAGE',
      name: 'Usage',
    })
    expect(created.status).toBe(201)
    await usageWritten(session, token.id, 3)

    const page = await openAs(browser, server.baseUrl, person, '/tokens')
    const row = page.getByTestId('token-row').filter({ hasText: 'Cursor on laptop' })
    await expect
      .poll(async () =>
        (await row.locator('[data-label="Last used"]').textContent())?.replace(/\s+/g, ' '),
      )
      .toMatch(/(just now|minute ago|minutes ago)\s+by Cursor 1\.7 from 127\.0\.0\.1/)
    await shoot(page, 'tokens-last-used')

    await row.getByRole('link', { name: 'Cursor on laptop' }).click()
    await page.waitForURL((url) => url.pathname === `/tokens/${token.id}`)
    await page.getByRole('heading', { name: 'Cursor on laptop', level: 1 }).waitFor()
    const chart = page.getByTestId('usage-chart')
    await chart.waitFor()
    expect(await chart.locator('rect').count()).toBe(30)
    expect(Number(await chart.locator('rect').last().getAttribute('data-requests'))).toBe(3)
    expect(Number(await chart.locator('rect').last().getAttribute('height'))).toBeGreaterThan(0)
    const clients = page.getByTestId('token-clients')
    await expect.poll(() => clients.textContent()).toContain('Cursor 1.7')
    expect(await page.getByTestId('token-addresses').textContent()).toContain('127.0.0.1')
    expect(await page.getByTestId('token-activity').textContent()).toMatch(/USAGE|Usage/)
    await shoot(page, 'token-detail')

    // An administrator lists every token by last use: this one, just used, comes first.
    const admin = await openAs(browser, server.baseUrl, ADMIN, '/admin/tokens')
    await admin.getByLabel('Sort').selectOption('last_used')
    await admin.waitForURL((url) => url.searchParams.get('sort') === 'last_used')
    const first = admin.getByTestId('token-row').first()
    await expect
      .poll(() => first.getByTestId('token-link').textContent())
      .toContain('Cursor on laptop')
    await shoot(admin, 'all-tokens-last-used')
    await first.getByTestId('token-link').click()
    await admin.waitForURL((url) => url.pathname === `/admin/tokens/${token.id}`)
    await admin.getByText(person.email).waitFor()
    await admin.context().close()

    // Someone else's token: not found, like a token that does not exist.
    const other = await createPerson(root, 'member', 'other')
    const otherPage = await openAs(browser, server.baseUrl, other, `/tokens/${token.id}`)
    await otherPage.getByRole('heading', { name: 'Token not found' }).waitFor()
    await otherPage.context().close()
    await page.context().close()
  })

  it('tokens that expire within 7 days are announced with Rotate; the create dialog offers 30 days first', async () => {
    const person = await createPerson(root, 'member', 'expiry')
    const session = await ApiSession.signIn(server.baseUrl, person.email, person.password)
    await session.call<TokenWithSecret>('POST', '/tokens', {
      name: 'Nightly job',
      expiresInDays: 3,
    })
    await session.call<TokenWithSecret>('POST', '/tokens', {
      name: 'Long lived',
      expiresInDays: 90,
    })
    const revoked = await session.call<TokenWithSecret>('POST', '/tokens', {
      name: 'Old laptop',
      expiresInDays: 5,
    })
    await session.call('DELETE', `/tokens/${revoked.token.id}`)

    // Every other page reminds them, with a link to API Tokens.
    const page = await openAs(browser, server.baseUrl, person, '/projects')
    const reminder = page.getByTestId('expiry-reminder')
    await reminder.waitFor()
    expect(await reminder.textContent()).toContain('Your token Nightly job expires')
    await reminder.getByRole('link', { name: 'Review and Rotate' }).click()
    await page.waitForURL((url) => url.pathname === '/tokens')
    expect(await page.getByTestId('expiry-reminder').count()).toBe(0)
    const banner = page.getByTestId('expiry-banner')
    await banner.waitFor()
    const text = (await banner.textContent()) ?? ''
    expect(text).toContain('Nightly job')
    expect(text).not.toContain('Long lived')
    expect(text).not.toContain('Old laptop')
    // The revoked token says when it was revoked, not when it would have expired.
    const revokedRow = page.getByTestId('token-row').filter({ hasText: 'Old laptop' })
    expect((await revokedRow.getByTestId('token-ended').textContent())?.trim()).toMatch(
      /^revoked (just now|1 minute ago)/,
    )
    await shoot(page, 'tokens-expiry-banner')

    await banner.getByRole('button', { name: 'Rotate Nightly job' }).click()
    const confirm = page.getByRole('alertdialog', { name: 'Rotate “Nightly job”?' })
    await confirm.getByRole('button', { name: 'Rotate Token' }).click()
    await page.getByRole('dialog', { name: /Rotated/i }).waitFor()
    await page.keyboard.press('Escape')

    await page.getByRole('button', { name: 'Create New Token' }).click()
    const create = page.getByRole('dialog', { name: 'Create New Token' })
    expect(await create.getByRole('radio', { name: '30 days' }).isChecked()).toBe(true)
    for (const choice of ['7 days', '60 days', '90 days', 'Custom', 'Never']) {
      expect(await create.getByRole('radio', { name: choice }).count(), choice).toBe(1)
    }
    await create.getByRole('radio', { name: 'Custom' }).check()
    await create.getByLabel('Expires In (days)').fill('14')
    await shoot(page, 'create-token-presets')
    await page.context().close()
  })
})
