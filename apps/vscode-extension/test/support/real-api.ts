/**
 * Starts the real Tessera API (apps/api/dist/server.js) on a loopback port with a fresh
 * embedded database, and drives it as the console would (admin session, CSRF header) to create
 * and revoke tokens, and to answer OAuth consent pages.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { closedPort } from './harness.js'

/** The API's entry point; TESSERA_API_ENTRY points the tests at another build. */
export const API_SERVER =
  process.env.TESSERA_API_ENTRY ??
  fileURLToPath(new URL('../../../api/dist/server.js', import.meta.url))
const SHIFT_CLOCK = fileURLToPath(new URL('./shift-clock.mjs', import.meta.url))

export const ADMIN_EMAIL = 'ada@example.com'
export const ADMIN_PASSWORD = 'correct horse battery staple'

export function realApiAvailable(): boolean {
  return existsSync(API_SERVER)
}

export interface RealApi {
  readonly url: string
  readonly dataDir: string
  stop(): Promise<void>
}

export interface StartOptions {
  /** Reuse a data directory (the database) from an earlier start. */
  dataDir?: string
  /** Move the server's clock forward. */
  clockOffsetMs?: number
  tls?: { certFile: string; keyFile: string }
}

export async function startRealApi(options: StartOptions = {}): Promise<RealApi> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tessera-vscode-api-'))
  const port = await closedPort()
  const args = options.clockOffsetMs ? ['--import', SHIFT_CLOCK, API_SERVER] : [API_SERVER]
  const child = spawn(process.execPath, args, {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      TESSERA_DATA_DIR: dataDir,
      TESSERA_ADMIN_EMAIL: ADMIN_EMAIL,
      TESSERA_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOG_LEVEL: 'warn',
      TESSERA_TEST_CLOCK_OFFSET_MS: String(options.clockOffsetMs ?? 0),
      ...(options.tls
        ? { TLS_CERT_FILE: options.tls.certFile, TLS_KEY_FILE: options.tls.keyFile }
        : {}),
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
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`
  await waitUntilListening(child, port, () => output)
  return {
    url,
    dataDir,
    async stop() {
      await stopProcess(child)
    },
  }
}

async function waitUntilListening(child: ChildProcess, port: number, output: () => string) {
  const { connect } = await import('node:net')
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the API exited (${child.exitCode}):\n${output()}`)
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (open) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await stopProcess(child)
  throw new Error(`the API did not listen on ${port} within 60 s:\n${output()}`)
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

export function removeDataDir(dataDir: string): void {
  rmSync(dataDir, { recursive: true, force: true })
}

/** A console session of the admin: creates and revokes tokens, and decides OAuth requests. */
export async function signInAsAdmin(baseUrl: string) {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  })
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`)
  const { csrfToken } = (await login.json()) as { csrfToken: string }
  const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? ''
  const headers = { cookie, 'x-csrf-token': csrfToken }
  return {
    async createToken(name: string, expiresInDays: number | null = null) {
      const response = await fetch(`${baseUrl}/api/v1/tokens`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ name, expiresInDays }),
      })
      if (response.status !== 201)
        throw new Error(`create token: ${response.status} ${await response.text()}`)
      return (await response.json()) as { token: { id: string; name: string }; secret: string }
    },
    async revokeToken(id: string) {
      const response = await fetch(`${baseUrl}/api/v1/tokens/${id}`, { method: 'DELETE', headers })
      if (response.status !== 204)
        throw new Error(`revoke token: ${response.status} ${await response.text()}`)
    },
    /**
     * The browser part of a sign-in, as the console's consent page does it: open the
     * authorization URL, follow it to /oauth/consent, and approve (or deny) the request there.
     * Answers where the browser is sent next (the client's redirect URI with code or error).
     */
    async decide(authorizationUrl: string, approve: boolean) {
      const opened = await fetch(authorizationUrl, { redirect: 'manual' })
      const consent = new URL(opened.headers.get('location') ?? '', baseUrl)
      if (opened.status !== 302 || consent.pathname !== '/oauth/consent') {
        throw new Error(`authorize: ${opened.status} ${await opened.text()}`)
      }
      const id = consent.searchParams.get('request') ?? ''
      const response = await fetch(`${baseUrl}/api/v1/oauth/requests/${encodeURIComponent(id)}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ approve }),
      })
      if (response.status !== 200)
        throw new Error(`decide: ${response.status} ${await response.text()}`)
      return ((await response.json()) as { redirectTo: string }).redirectTo
    },
    async grants() {
      const response = await fetch(`${baseUrl}/api/v1/oauth/grants`, { headers })
      if (response.status !== 200)
        throw new Error(`grants: ${response.status} ${await response.text()}`)
      return (
        (await response.json()) as {
          grants: { id: string; client: { name: string }; status: string; token: { id: string } }[]
        }
      ).grants
    },
    /** "Disconnect" on the console's connected apps. */
    async disconnect(grantId: string) {
      const response = await fetch(`${baseUrl}/api/v1/oauth/grants/${grantId}`, {
        method: 'DELETE',
        headers,
      })
      if (response.status !== 204 && response.status !== 200)
        throw new Error(`disconnect: ${response.status} ${await response.text()}`)
    },
  }
}
