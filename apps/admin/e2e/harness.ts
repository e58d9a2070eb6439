/**
 * End-to-end harness: the real API process (`apps/api/dist/server.js`) on a free loopback port
 * with a fresh embedded database, serving the built console, driven by Debian's Chromium.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AdminUser, LoginResponse, MeResponse } from '@tessera/api/contract'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'

const SERVER_ENTRY = fileURLToPath(new URL('../../api/dist/server.js', import.meta.url))
const CONSOLE_INDEX = fileURLToPath(new URL('../dist/index.html', import.meta.url))
export const SCREENSHOT_DIR = fileURLToPath(new URL('../artifacts/screenshots/', import.meta.url))

export const ADMIN = { email: 'root@e2e.test', password: 'e2e-admin-password-123' }
export const DESKTOP = { width: 1280, height: 800 }
export const PHONE = { width: 390, height: 844 }

export interface RunningServer {
  baseUrl: string
  /**
   * The one-time code for creating the first admin, read from the start banner ("Setup code:
   * ABCD-EFGH-JKMN") as the person installing Tessera would; null when it started with users.
   */
  setupCode: string | null
  stop: () => Promise<void>
}

/** The banner line with the setup code (upper-case letters, digits and dashes). */
const SETUP_CODE_LINE = /Setup code: ([A-Z0-9-]+)/

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}

export interface ServerOptions {
  /**
   * Create the first admin (`ADMIN`) from TESSERA_ADMIN_* at boot, as most tests need. Without
   * it the server starts with no users, as a fresh self-hosted install does.
   */
  firstAdmin?: boolean
  /** More environment for the server process (e.g. NODE_EXTRA_CA_CERTS, read only at start). */
  env?: Record<string, string>
}

/** Starts the API as a user would (`node dist/server.js`) and waits until it answers. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const firstAdmin = options.firstAdmin ?? true
  for (const file of [SERVER_ENTRY, CONSOLE_INDEX]) {
    if (!existsSync(file))
      throw new Error(`${file} is missing: build the API and the console first`)
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-e2e-'))
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const child: ChildProcess = spawn(process.execPath, [SERVER_ENTRY], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      TESSERA_DATA_DIR: dataDir,
      DATABASE_URL: '',
      // Empty counts as unset, also when the surrounding environment sets them.
      TESSERA_ADMIN_EMAIL: firstAdmin ? ADMIN.email : '',
      TESSERA_ADMIN_PASSWORD: firstAdmin ? ADMIN.password : '',
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk) => {
    output += chunk
  })
  child.stderr?.on('data', (chunk) => {
    output += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))

  // Ready means answering, and without users also having printed the setup code, which the
  // banner does just after the server starts listening.
  const deadline = Date.now() + 30_000
  let answering = false
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`the API exited with ${child.exitCode} before answering:\n${output}`)
    }
    if (!answering) {
      try {
        answering = (await fetch(`${baseUrl}/readyz`)).ok
      } catch {
        // Not listening yet.
      }
    }
    if (answering && (firstAdmin || SETUP_CODE_LINE.test(output))) break
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(
        answering
          ? `the API started without users but printed no "Setup code:" line in 30 s:\n${output}`
          : `the API did not become ready in 30 s:\n${output}`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }

  return {
    baseUrl,
    setupCode: firstAdmin ? null : (SETUP_CODE_LINE.exec(output)?.[1] ?? null),
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
        await exited
        clearTimeout(timer)
      }
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium'

/** A missing Chromium fails the browser tests loudly; they never skip. */
export function assertBrowserInstalled() {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install it (apt-get install -y chromium) or set CHROMIUM_PATH.`,
    )
  }
}

export async function launchBrowser(): Promise<Browser> {
  await mkdir(SCREENSHOT_DIR, { recursive: true })
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

export async function newContext(browser: Browser, baseUrl: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: DESKTOP })
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl })
  return context
}

/** Fills the sign-in form; the caller decides where it should land. */
export async function signIn(page: Page, email: string, password: string) {
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByRole('button', { name: 'Sign In' }).click()
}

/** Screenshots at desktop and phone width, and checks the phone layout does not scroll sideways. */
export async function shoot(page: Page, name: string) {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-desktop.png`) })
  await page.setViewportSize(PHONE)
  await page.waitForTimeout(100)
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  )
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-phone.png`), fullPage: true })
  await page.setViewportSize(DESKTOP)
  if (overflow > 1) throw new Error(`${name} scrolls sideways by ${overflow}px at phone width`)
}

let counter = 0

/** A unique email per call, so every test makes its own people. */
export function uniqueEmail(label: string): string {
  counter += 1
  return `${label}-${Date.now().toString(36)}-${counter}@e2e.test`
}

/** A cookie session for setting up data through the REST API, as the console itself would. */
export class ApiSession {
  private constructor(
    private readonly baseUrl: string,
    private readonly cookie: string,
    private readonly csrfToken: string,
  ) {}

  static async signIn(baseUrl: string, email: string, password: string): Promise<ApiSession> {
    const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: baseUrl },
      body: JSON.stringify({ email, password }),
    })
    if (!response.ok) throw new Error(`sign-in as ${email} failed: ${await response.text()}`)
    const body = (await response.json()) as LoginResponse
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
    return new ApiSession(baseUrl, cookie, body.csrfToken)
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}/api/v1${path}`, {
      method,
      headers: {
        Cookie: this.cookie,
        Origin: this.baseUrl,
        'X-CSRF-Token': this.csrfToken,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!response.ok)
      throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`)
    return (response.status === 204 ? undefined : await response.json()) as T
  }
}

export const PASSWORD = 'a-long-enough-password'

/** A fresh person for one test, created by an admin through the API. */
export async function createPerson(admin: ApiSession, role: 'admin' | 'member', label: string) {
  const email = uniqueEmail(label)
  const { user } = await admin.call<{ user: AdminUser }>('POST', '/admin/users', {
    email,
    name: `${label[0]?.toUpperCase()}${label.slice(1)} ${Math.floor(Math.random() * 900 + 100)}`,
    password: PASSWORD,
    role,
  })
  return { ...user, password: PASSWORD }
}

/** A new browser context signed in as `person`, on `path`. */
export async function openAs(
  browser: Browser,
  baseUrl: string,
  person: { email: string; password: string },
  path: string,
): Promise<Page> {
  const context = await newContext(browser, baseUrl)
  const page = await context.newPage()
  await page.goto(path)
  await page.getByRole('heading', { name: 'Sign in to Tessera' }).waitFor()
  await signIn(page, person.email, person.password)
  await page.waitForURL((url) => url.pathname === path)
  return page
}

/** A REST call with a bearer token, as a script or an agent would make it. */
export async function callWithToken<T = unknown>(
  baseUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T & { code?: string } }> {
  const response = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T & { code?: string } }
}

/** What the API says about a bearer token: the status, and the error code when refused. */
export async function useToken(baseUrl: string, token: string) {
  const response = await fetch(`${baseUrl}/api/v1/me`, {
    headers: { Authorization: `Bearer ${token}` },
  })
  const body = (await response.json()) as MeResponse & { code?: string }
  return { status: response.status, code: body.code, me: body }
}
