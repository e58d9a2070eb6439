/**
 * Layout in a real browser: every main screen at desktop and phone width, with the long names,
 * long addresses and long lines real workspaces have. Screenshots land in artifacts/screenshots.
 */
import { join } from 'node:path'
import type { TokenWithSecret } from '@tessera/api/contract'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ADMIN,
  ApiSession,
  assertBrowserInstalled,
  createPerson,
  DESKTOP,
  launchBrowser,
  openAs,
  PHONE,
  type RunningServer,
  SCREENSHOT_DIR,
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

const LONG_LINE =
  'npx -y pnpm@10.34.9 --filter @tessera/api exec vitest run --project postgres test/some-long-file-name.test.ts'

/** A workspace with what makes layouts break: long names, addresses, lines, a used token. */
async function seedWorkspace() {
  const admin = await createPerson(root, 'admin', 'layout')
  const member = await root.call<{ user: { id: string; email: string } }>('POST', '/admin/users', {
    email: `margaret.hamilton-smithson.${Date.now().toString(36)}@engineering.example.test`,
    name: 'Margaret Hamilton-Smithson',
    password: 'a-long-enough-password',
    role: 'member',
  })
  const session = await ApiSession.signIn(server.baseUrl, admin.email, admin.password)
  const key = `L${Date.now().toString(36).slice(-4).toUpperCase()}`
  await session.call('POST', '/projects', {
    key,
    name: 'Website relaunch for the spring campaign',
    description: 'The new public website.',
  })
  await session.call('POST', `/projects/${key}/members`, { email: member.user.email })
  await session.call('POST', '/tasks', {
    project: key,
    title: 'Move the build to the new pipeline and keep the old one until it is proven',
    description: `Run this from the repository root:\n\n\`\`\`\n${LONG_LINE}\n\`\`\`\n\nThen ask ${member.user.email}.`,
    assignee: member.user.email,
  })
  await session.call('POST', `/tasks/${key}-1/comments`, { body: `Done: \`${LONG_LINE}\`` })

  const tokens: TokenWithSecret[] = []
  for (const name of ['Cursor on the work laptop', 'Claude Desktop at home', 'Nightly CI']) {
    tokens.push(await session.call<TokenWithSecret>('POST', '/tokens', { name, expiresInDays: 30 }))
  }
  const [used, revoked] = tokens
  await session.call('DELETE', `/tokens/${revoked?.token.id}`)
  // Used once, so the lists show when and from where (written within seconds, in a batch).
  expect((await useToken(server.baseUrl, used?.secret ?? '')).status).toBe(200)
  for (let attempt = 0; ; attempt++) {
    const { tokens: listed } = await session.call<{ tokens: { lastUsedAt: string | null }[] }>(
      'GET',
      '/tokens',
    )
    if (listed.some((token) => token.lastUsedAt)) break
    if (attempt > 100) throw new Error('the token use was never recorded')
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return { admin, key }
}

interface Overflow {
  what: string
  by: number
}

/** Everything on the page that is wider than its box: the page itself, cards, tables, dialogs. */
function overflows(page: Page): Promise<Overflow[]> {
  return page.evaluate(() => {
    const found: { what: string; by: number }[] = []
    const scroller = document.scrollingElement as HTMLElement
    if (scroller.scrollWidth > scroller.clientWidth) {
      found.push({ what: 'page', by: scroller.scrollWidth - scroller.clientWidth })
    }
    for (const element of Array.from(
      document.querySelectorAll<HTMLElement>('.card, .table-wrap, .dialog__body'),
    )) {
      if (element.scrollWidth > element.clientWidth) {
        const name = element.querySelector('caption, h2, h3')?.textContent?.trim() ?? ''
        found.push({
          what: `${element.className} ${name}`.trim(),
          by: element.scrollWidth - element.clientWidth,
        })
      }
    }
    return found
  })
}

/** Security policy violations the page reports, collected from its first script on. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  const messages: string[] = []
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) messages.push(message.text())
  })
  await page.addInitScript(() => {
    const seen: string[] = []
    ;(window as unknown as { cspViolations: string[] }).cspViolations = seen
    document.addEventListener('securitypolicyviolation', (event) => {
      seen.push(`${event.violatedDirective}: ${event.blockedURI || 'inline'}`)
    })
  })
  return async () => [
    ...messages,
    ...(await page.evaluate(
      () => (window as unknown as { cspViolations?: string[] }).cspViolations ?? [],
    )),
  ]
}

/** Short connecting words stay lower case inside a Title Case label ("Create the First Task"). */
const MINOR_WORDS = new Set('a an and as at by for from in of on or the to with'.split(' '))

/** The words of a label that break Title Case; quoted names (“Laptop”) are the user's own. */
function lowerCaseWords(label: string): string[] {
  const words = label
    .replace(/“[^”]*”/g, ' ')
    .split(/[\s?…]+/)
    .filter(Boolean)
  return words.filter(
    (word, index) => /^[a-z]/.test(word) && (index === 0 || !MINOR_WORDS.has(word)),
  )
}

/** Every visible button label and dialog title on the page that is not in Title Case. */
async function notTitleCase(page: Page, where: string): Promise<string[]> {
  const labels = await page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('.button, dialog h2'))
      .filter((element) => element.offsetParent !== null || element.closest('dialog[open]'))
      // biome-ignore lint/performance/useDomNodeTextContent: the label as shown, not hidden text
      .map((element) => (element.innerText || '').trim())
      .filter(Boolean),
  )
  return labels
    .filter((label) => lowerCaseWords(label).length > 0)
    .map((label) => `${where}: "${label}"`)
}

async function settle(page: Page) {
  await page.waitForLoadState('networkidle')
  await page.evaluate(() => document.fonts.ready)
  await page.evaluate(
    () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
  )
}

describe('every main screen at desktop and phone width', () => {
  it('no screen scrolls sideways and no card, table or dialog is wider than its box', async () => {
    const { admin, key } = await seedWorkspace()
    const page = await openAs(browser, server.baseUrl, admin, '/projects')
    const violations = await watchViolations(page)
    // Every page of the main navigation (an admin sees them all), and a project and a task.
    const navigation = await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link')
      .evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''))
    expect(navigation.length).toBeGreaterThan(5)
    const screens: [string, string][] = [
      ...navigation.map((path): [string, string] => [path.slice(1).replaceAll('/', '-'), path]),
      ['project-tasks', `/projects/${key}`],
      ['project-members', `/projects/${key}?tab=members`],
      ['task', `/tasks/${key}-1`],
    ]
    const found: string[] = []
    for (const [width, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      await page.setViewportSize(viewport)
      for (const [name, path] of screens) {
        await page.goto(path)
        await page.getByRole('heading', { level: 1 }).first().waitFor()
        await settle(page)
        await page.screenshot({
          path: join(SCREENSHOT_DIR, `layout-${name}-${width}.png`),
          fullPage: true,
        })
        for (const overflow of await overflows(page)) {
          found.push(`${name} at ${width}: ${overflow.what} by ${overflow.by}px`)
        }
        found.push(...(await notTitleCase(page, `${name} at ${width}`)))
      }
    }
    expect(found).toEqual([])
    expect(await violations()).toEqual([])
    await page.context().close()
  })

  it('dialogs have Title Case titles and buttons, like "Create New Token"', async () => {
    const { admin, key } = await seedWorkspace()
    const page = await openAs(browser, server.baseUrl, admin, '/projects')
    const dialogs: [string, string, 'dialog' | 'alertdialog'][] = [
      ['/projects', 'New Project', 'dialog'],
      [`/projects/${key}`, 'New Task', 'dialog'],
      [`/projects/${key}`, 'Edit', 'dialog'],
      [`/projects/${key}`, 'Archive', 'alertdialog'],
      ['/tokens', 'Create New Token', 'dialog'],
      ['/tokens', 'Rotate Cursor on the work laptop', 'alertdialog'],
      ['/tokens', 'Revoke Nightly CI', 'alertdialog'],
      ['/admin/users', 'Add User', 'dialog'],
    ]
    const found: string[] = []
    for (const [path, opener, role] of dialogs) {
      await page.goto(path)
      await page.getByRole('button', { name: opener, exact: true }).click()
      const dialog = page.getByRole(role)
      await dialog.waitFor()
      await settle(page)
      found.push(...(await notTitleCase(page, `${path} → ${opener}`)))
      await page.keyboard.press('Escape')
      await dialog.waitFor({ state: 'detached' })
    }
    expect(found).toEqual([])
    await page.context().close()
  })

  it('token tables keep names on one line and the revoked badge is not struck through', async () => {
    const { admin } = await seedWorkspace()
    const page = await openAs(browser, server.baseUrl, admin, '/admin/tokens')
    // The widest dates the lists show ("44 minutes ago"), not the "just now" of a fresh token.
    await page.clock.setFixedTime(Date.now() + 44 * 60_000)
    for (const path of ['/admin/tokens', '/tokens']) {
      await page.goto(path)
      await page
        .getByRole('row', { name: /Cursor on the work laptop/ })
        .first()
        .waitFor()
      await settle(page)
      const layout = await page.evaluate(() => {
        const names = Array.from(
          document.querySelectorAll<HTMLElement>('.token-table .cell-strong'),
        )
        const revoked = document.querySelector<HTMLElement>('.badge--revoked')
        const wrap = document.querySelector<HTMLElement>('.table-wrap')
        return {
          wrapped: names
            .filter((name) => name.getClientRects().length > 1)
            .map((n) => n.textContent),
          revokedDecoration: revoked ? getComputedStyle(revoked).textDecorationLine : 'missing',
          tableOverflow: wrap ? wrap.scrollWidth - wrap.clientWidth : -1,
        }
      })
      expect(layout, path).toEqual({ wrapped: [], revokedDecoration: 'none', tableOverflow: 0 })
    }
    await page.context().close()
  })

  it('page header buttons sit level with the page title', async () => {
    const { admin, key } = await seedWorkspace()
    const page = await openAs(browser, server.baseUrl, admin, '/tokens')
    const level = async (button: string) => {
      const title = await page.getByRole('heading', { level: 1 }).boundingBox()
      const action = await page.getByRole('button', { name: button, exact: true }).boundingBox()
      if (!title || !action) throw new Error(`no title or no ${button} button`)
      const middle = action.y + action.height / 2
      // The button's middle is on the title's line, not below it.
      return middle >= title.y && middle <= title.y + title.height
    }
    await page.getByRole('button', { name: 'Create New Token' }).waitFor()
    await settle(page)
    expect(await level('Create New Token')).toBe(true)
    await page.goto(`/projects/${key}`)
    await page.getByRole('button', { name: 'Archive', exact: true }).waitFor()
    await settle(page)
    expect(await level('Edit')).toBe(true)
    expect(await level('Archive')).toBe(true)
    await page.context().close()
  })

  it('the phone tab bar shows the current page, on load and after navigating', async () => {
    const { admin } = await seedWorkspace()
    const page = await openAs(browser, server.baseUrl, admin, '/projects')
    await page.setViewportSize(PHONE)
    const currentInView = async () => {
      await settle(page)
      return page.evaluate(() => {
        const nav = document.querySelector<HTMLElement>('nav[aria-label="Main"]')
        const current = nav?.querySelector<HTMLElement>('[aria-current="page"]')
        if (!nav || !current) return 'no current page in the tab bar'
        const bar = nav.getBoundingClientRect()
        const link = current.getBoundingClientRect()
        const hidden = Math.max(0, bar.left - link.left) + Math.max(0, link.right - bar.right)
        return hidden === 0 ? 'in view' : `${current.textContent?.trim()} hidden by ${hidden}px`
      })
    }
    const entries = await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link')
      .evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''))
    // Opened directly: the last entry, beyond the right edge of a phone screen.
    await page.goto(entries.at(-1) ?? '')
    await page.getByRole('heading', { level: 1 }).first().waitFor()
    expect(await currentInView()).toBe('in view')
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'layout-tab-bar-phone.png') })

    // Reached in the app without the bar (the logo goes home, to Projects): the bar follows.
    await page.getByRole('link', { name: 'Tessera home' }).first().click()
    await page.getByRole('heading', { name: 'Projects', level: 1 }).waitFor()
    expect(await currentInView()).toBe('in view')
    await page.context().close()
  })

  it('Connect a client: no stray scrollbars, the chosen tab stays in view, code does not scroll inside the dialog', async () => {
    const { admin } = await seedWorkspace()
    const page = await openAs(browser, server.baseUrl, admin, '/tokens')
    for (const [width, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      await page.setViewportSize(viewport)
      await page.getByRole('button', { name: 'Create New Token' }).click()
      const create = page.getByRole('dialog', { name: 'Create New Token' })
      await create.getByLabel('Name').fill(`Layout ${width}`)
      await create.getByRole('button', { name: 'Create Token', exact: true }).click()
      const dialog = page.getByRole('dialog', { name: 'Token Created', exact: true })
      await dialog.waitFor()
      await settle(page)
      await page.screenshot({ path: join(SCREENSHOT_DIR, `layout-connect-client-${width}.png`) })

      expect(await notTitleCase(page, `token created at ${width}`)).toEqual([])

      const strip = dialog.getByRole('tablist', { name: 'AI clients' })
      const scrollbars = await strip.evaluate((element: HTMLElement) => {
        const style = getComputedStyle(element)
        const borders =
          Number.parseFloat(style.borderTopWidth) + Number.parseFloat(style.borderBottomWidth)
        return {
          horizontalBar: element.offsetHeight - element.clientHeight - borders,
          scrollsVertically: element.scrollHeight > element.clientHeight,
        }
      })
      expect(scrollbars, width).toEqual({ horizontalBar: 0, scrollsVertically: false })

      // Every tab, chosen the way a finger does: a tap on whatever part of it shows.
      for (const tab of await strip.getByRole('tab').all()) {
        const box = await tab.boundingBox()
        const bar = await strip.boundingBox()
        if (!box || !bar) throw new Error('tab or tab strip not rendered')
        const visibleLeft = Math.max(box.x, bar.x)
        const visibleRight = Math.min(box.x + box.width, bar.x + bar.width)
        if (visibleRight - visibleLeft < 4) {
          // Entirely out of view: reached by swiping the strip, as a user would.
          await tab.evaluate((element) => element.scrollIntoView({ inline: 'nearest' }))
        }
        const now = (await tab.boundingBox()) ?? box
        const barNow = (await strip.boundingBox()) ?? bar
        const x = Math.min(now.x + now.width, barNow.x + barNow.width) - 3
        await page.mouse.click(x, now.y + now.height / 2)
        await settle(page)
        expect(await tab.getAttribute('aria-selected')).toBe('true')
        const hidden = await tab.evaluate((element) => {
          const own = element.getBoundingClientRect()
          const list = (element.parentElement as HTMLElement).getBoundingClientRect()
          return Math.max(0, list.left - own.left) + Math.max(0, own.right - list.right)
        })
        // Fully in view, give or take the browser's rounding of fractional pixels.
        expect(hidden, `${await tab.textContent()} at ${width}`).toBeLessThan(1)

        const innerScroll = await dialog
          .locator('pre')
          .evaluateAll((blocks) =>
            blocks
              .filter(
                (block) =>
                  block.scrollWidth > block.clientWidth || block.scrollHeight > block.clientHeight,
              )
              .map((block) => block.getAttribute('aria-label') ?? block.textContent?.slice(0, 40)),
          )
        expect(innerScroll, `${await tab.textContent()} at ${width}`).toEqual([])
        expect(await overflows(page)).toEqual([])
      }
      await dialog.getByRole('button', { name: 'Done' }).click()
      await dialog.waitFor({ state: 'detached' })
    }
    await page.context().close()
  })

  it('the API docs load without a Content Security Policy violation', async () => {
    const context = await browser.newContext({ baseURL: server.baseUrl, viewport: DESKTOP })
    const page = await context.newPage()
    const violations = await watchViolations(page)
    const answer = await page.goto('/api/docs')
    expect(answer?.status()).toBe(200)
    expect(answer?.headers()['content-security-policy']).toContain("script-src 'self'")
    await page.getByText('/api/v1/tokens/self', { exact: true }).first().waitFor()
    await settle(page)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'layout-api-docs-desktop.png') })
    expect(await violations()).toEqual([])
    await context.close()
  })
})
