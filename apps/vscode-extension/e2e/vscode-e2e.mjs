/**
 * End to end in a real VS Code (code-server in headless Chromium):
 *   1. start the real Tessera API (fresh data dir, loopback port, first admin) and create a token
 *      over REST as the console does; put a recording proxy in front of it;
 *   2. install tessera.vsix into a fresh code-server and serve it, with `tessera.serverUrl`
 *      pointing at the proxy;
 *   3. in the browser, run "Tessera: Connect…" from the command palette and choose "Sign in with
 *      browser": VS Code opens the authorization URL in a new tab, where the admin signs in to the
 *      console and approves on its consent page; the browser comes back to code-server's /callback
 *      page, which hands the response to the extension's URI handler;
 *   4. start the MCP server from "MCP: List Servers" and assert that `initialize` and
 *      `tools/list` reached the API with the access token of that grant (as seen by the proxy and
 *      in the API's request log, against the grant the console lists), that the tool list is
 *      Tessera's (in the answer and in chat's tool picker), and that the token was written to no
 *      file in VS Code's user data; screenshots: artifacts/vscode-e2e-consent.png (the consent
 *      page) and artifacts/vscode-e2e.png (VS Code with the server running);
 *   5. "Tessera: Sign Out" revokes the grant (POST /oauth/revoke; the console lists it revoked);
 *   6. the fallback: "Tessera: Connect…" → "Paste an API token", typed into the password box.
 *
 * Run by e2e/run.sh, which provisions code-server, Node 22 and playwright-core (see
 * provision.sh) and passes their paths in the environment. Runs on the machine's Node (20+).
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { createServer, request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const EXTENSION_DIR = resolve(fileURLToPath(new URL('..', import.meta.url)))
const ARTIFACTS = join(EXTENSION_DIR, 'artifacts')
const SCREENSHOT = join(ARTIFACTS, 'vscode-e2e.png')
const CONSENT_SCREENSHOT = join(ARTIFACTS, 'vscode-e2e-consent.png')
const FAILURE_SCREENSHOT = join(ARTIFACTS, 'vscode-e2e-failure.png')
const LOG_ARTIFACTS = join(ARTIFACTS, 'vscode-e2e-logs')

const env = {
  codeServer: required('CODE_SERVER'),
  node22Bin: required('NODE22_BIN'),
  playwrightCore: required('PLAYWRIGHT_CORE'),
  vsix: process.env.TESSERA_VSIX ?? join(EXTENSION_DIR, 'tessera.vsix'),
  apiEntry: process.env.TESSERA_API_ENTRY ?? resolve(EXTENSION_DIR, '../api/dist/server.js'),
  chromium: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  /** The whole run, in seconds; run.sh adds a hard kill a little later. */
  budgetSeconds: Number(process.env.TESSERA_E2E_BUDGET_SECONDS ?? 300),
  /** Written by this script: one process-group id per line, for run.sh's trap. */
  pidFile: process.env.TESSERA_E2E_PID_FILE,
  keepTemp: process.env.TESSERA_E2E_KEEP === '1',
}

const ADMIN_EMAIL = 'ada@example.com'
const ADMIN_PASSWORD = 'correct horse battery staple'
const TOKEN_NAME = 'vscode-e2e'
const TESSERA_TOOLS = ['whoami', 'create_task', 'list_tasks']
const PROXY_HOST = '127.0.0.2'

const started = Date.now()
const cleanups = []
const children = []
let page
let failing = false

function required(name) {
  const value = process.env[name]
  if (!value) {
    console.error(`[e2e] ERROR: ${name} is not set; run this through e2e/run.sh.`)
    process.exit(2)
  }
  return value
}

function say(message) {
  const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(5)
  console.log(`[e2e ${seconds}s] ${message}`)
}

class E2eFailure extends Error {}
function fail(message) {
  throw new E2eFailure(message)
}

/** Rejects with `what` after `ms`; the timer never keeps the process alive. */
async function within(ms, what, promise) {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new E2eFailure(`timed out after ${ms / 1000} s: ${what}`)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

async function until(ms, what, probe, intervalMs = 250) {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) fail(`timed out after ${ms / 1000} s: ${what}`)
    await sleep(intervalMs)
  }
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms))

async function freePort() {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address()
  server.close()
  await once(server, 'close')
  return port
}

// ---- processes ---------------------------------------------------------------------------

/**
 * Starts a process in its own process group (code-server forks several), logging to a file.
 * Stopped on exit: SIGTERM to the group, SIGKILL after 10 s.
 */
function startProcess(name, command, args, options) {
  const logFile = join(options.logDir, `${name}.log`)
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  if (env.pidFile && child.pid) appendFileSync(env.pidFile, `${child.pid}\n`)
  const record = { name, child, logFile, exited: once(child, 'exit').catch(() => undefined) }
  children.push(record)
  // Output can still arrive while the temporary directory is being removed: never fail on it.
  const append = (chunk) => {
    try {
      appendFileSync(logFile, chunk)
    } catch {
      // the run is over
    }
  }
  let pending = ''
  child.stdout.on('data', (chunk) => {
    append(chunk)
    if (options.onLine) {
      pending += chunk
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) options.onLine(line)
    }
  })
  child.stderr.on('data', append)
  cleanups.push(() => stopProcess(record))
  return record
}

async function stopProcess({ child, exited }) {
  if (child.exitCode !== null || child.signalCode !== null) return
  const group = -child.pid
  try {
    process.kill(group, 'SIGTERM')
  } catch {
    return
  }
  await Promise.race([exited, sleep(10_000)])
  // The leader may be gone while its children still run: sweep the whole group.
  try {
    process.kill(group, 'SIGKILL')
  } catch {
    // the group is empty
  }
}

function assertRunning(record) {
  if (record.child.exitCode !== null || record.child.signalCode !== null) {
    fail(`${record.name} exited (${record.child.exitCode ?? record.child.signalCode}); see its log`)
  }
}

/** Runs a command to completion with a time limit; returns its output. */
async function run(name, command, args, options) {
  const record = startProcess(name, command, args, options)
  const [code] = await within(options.timeoutMs, `${name}`, record.exited)
  const output = readFileSync(record.logFile, 'utf8')
  if (code !== 0) fail(`${name} exited with ${code}:\n${tail(output)}`)
  return output
}

function tail(text, lines = 30) {
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}

// ---- the Tessera API and the recording proxy ----------------------------------------------

async function startApi(work) {
  const port = await freePort()
  const dataDir = join(work, 'api-data')
  mkdirSync(dataDir)
  const requests = []
  const record = startProcess('tessera-api', process.execPath, [env.apiEntry], {
    logDir: work,
    cwd: work,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: work,
      PORT: String(port),
      HOST: '127.0.0.1',
      TESSERA_DATA_DIR: dataDir,
      TESSERA_ADMIN_EMAIL: ADMIN_EMAIL,
      TESSERA_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOG_LEVEL: 'info',
    },
    // pino: one JSON object per line; the request lines carry method/path/status/tokenId.
    onLine(line) {
      try {
        const entry = JSON.parse(line)
        if (entry.msg === 'request') requests.push(entry)
      } catch {
        // not JSON
      }
    },
  })
  const url = `http://127.0.0.1:${port}`
  await until(60_000, `the API to answer ${url}/readyz`, async () => {
    assertRunning(record)
    try {
      return (await fetch(`${url}/readyz`)).status === 200
    } catch {
      return false
    }
  })
  return { url, requests, record }
}

/** The admin's console session (cookie + CSRF header), as the console holds it. */
async function adminSession(apiUrl) {
  const login = await fetch(`${apiUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  })
  if (login.status !== 200) fail(`admin login: ${login.status} ${await login.text()}`)
  const { csrfToken } = await login.json()
  const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0]
  return { cookie, 'x-csrf-token': csrfToken }
}

async function createToken(apiUrl) {
  const headers = await adminSession(apiUrl)
  const created = await fetch(`${apiUrl}/api/v1/tokens`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ name: TOKEN_NAME }),
  })
  if (created.status !== 201) fail(`create token: ${created.status} ${await created.text()}`)
  const body = await created.json()
  if (typeof body.secret !== 'string' || typeof body.token?.id !== 'string') {
    fail(`create token: unexpected answer ${JSON.stringify(Object.keys(body))}`)
  }
  return { id: body.token.id, secret: body.secret }
}

/** The admin's connected apps, as the console lists them (GET /api/v1/oauth/grants). */
async function listGrants(apiUrl) {
  const response = await fetch(`${apiUrl}/api/v1/oauth/grants`, {
    headers: await adminSession(apiUrl),
  })
  if (response.status !== 200) fail(`list grants: ${response.status} ${await response.text()}`)
  return (await response.json()).grants
}

// Hop-by-hop headers describe one connection and must not be forwarded: passing the API's
// `Keep-Alive: timeout=72` on made clients reuse sockets this proxy had already closed.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
])

function endToEnd(headers) {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())),
  )
}

/**
 * A transparent HTTP proxy in front of the API that records every exchange (headers and bodies),
 * so the test sees exactly what VS Code sent to the MCP endpoint and what it got back.
 */
async function startRecordingProxy(targetUrl) {
  const target = new URL(targetUrl)
  const exchanges = []
  const server = createServer((req, res) => {
    const requestChunks = []
    const responseChunks = []
    const exchange = {
      method: req.method,
      path: (req.url ?? '/').split('?')[0],
      authorization: req.headers.authorization,
      status: 0,
      /** The response has been received in full. */
      complete: false,
      get requestBody() {
        return Buffer.concat(requestChunks).toString('utf8')
      },
      get responseBody() {
        return Buffer.concat(responseChunks).toString('utf8')
      },
    }
    exchanges.push(exchange)
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: endToEnd(req.headers),
      },
      (answer) => {
        exchange.status = answer.statusCode ?? 0
        res.writeHead(exchange.status, endToEnd(answer.headers))
        answer.on('data', (chunk) => responseChunks.push(chunk))
        answer.on('end', () => {
          exchange.complete = true
        })
        answer.pipe(res)
      },
    )
    upstream.on('error', (error) => {
      exchange.status = 502
      res.destroy(error)
    })
    req.on('data', (chunk) => requestChunks.push(chunk))
    req.pipe(upstream)
  })
  // Another loopback address than 127.0.0.1: code-server rewrites any link to localhost,
  // 127.0.0.1 or 0.0.0.0 that an extension opens into its own port proxy (/proxy/<port>/) and
  // drops the path and query on the way, which would lose the authorization request.
  server.listen(0, PROXY_HOST)
  await once(server, 'listening')
  cleanups.push(
    () =>
      new Promise((done) => {
        server.closeAllConnections()
        server.close(() => done())
      }),
  )
  return { url: `http://${PROXY_HOST}:${server.address().port}`, exchanges }
}

/** JSON-RPC messages in a request or response body (plain JSON or an SSE stream). */
function jsonRpcMessages(body) {
  const text = body.trim()
  if (text === '') return []
  const chunks = text.startsWith('{') || text.startsWith('[') ? [text] : sseData(text)
  const messages = []
  for (const chunk of chunks) {
    try {
      const value = JSON.parse(chunk)
      messages.push(...(Array.isArray(value) ? value : [value]))
    } catch {
      // not JSON-RPC
    }
  }
  return messages
}

function sseData(text) {
  return text
    .split(/\r?\n\r?\n/)
    .map((event) =>
      event
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n'),
    )
    .filter(Boolean)
}

function mcpCalls(exchanges) {
  return exchanges
    .filter((exchange) => exchange.method === 'POST' && exchange.path === '/api/v1/mcp')
    .flatMap((exchange) =>
      jsonRpcMessages(exchange.requestBody)
        .filter((message) => typeof message.method === 'string')
        .map((message) => ({ exchange, method: message.method, id: message.id })),
    )
}

// ---- code-server ------------------------------------------------------------------------

async function prepareCodeServer(work, serverUrl) {
  const home = join(work, 'home')
  const userDataDir = join(work, 'user-data')
  const extensionsDir = join(work, 'extensions')
  const workspace = join(work, 'workspace')
  for (const dir of [home, join(userDataDir, 'User'), extensionsDir, workspace]) {
    mkdirSync(dir, { recursive: true })
  }
  // The server URL is not a secret; the token never goes here.
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    `${JSON.stringify(
      {
        'tessera.serverUrl': serverUrl,
        'workbench.startupEditor': 'none',
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        'workbench.tips.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'update.mode': 'none',
        'security.workspace.trust.enabled': false,
        'chat.mcp.discovery.enabled': false,
        'window.restoreWindows': 'none',
      },
      null,
      2,
    )}\n`,
  )
  writeFileSync(
    join(workspace, 'README.md'),
    '# Tessera end-to-end\n\nThis folder exists so that VS Code opens a workspace.\n',
  )
  const config = join(work, 'code-server.yaml')
  writeFileSync(config, 'auth: none\ncert: false\n')
  const processEnv = {
    PATH: `${env.node22Bin}:${process.env.PATH ?? ''}`,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    LANG: 'C.UTF-8',
  }
  const node = join(env.node22Bin, 'node')
  const common = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir]

  say('installing tessera.vsix into code-server')
  const installed = await run(
    'code-server-install-extension',
    node,
    [env.codeServer, ...common, '--install-extension', env.vsix],
    { logDir: work, cwd: work, env: processEnv, timeoutMs: 120_000 },
  )
  if (!readdirSync(extensionsDir).some((name) => name.startsWith('tessera.tessera-vscode-'))) {
    fail(`the .vsix was not installed into ${extensionsDir}:\n${tail(installed)}`)
  }

  const port = await freePort()
  const record = startProcess(
    'code-server',
    node,
    [
      env.codeServer,
      ...common,
      '--config',
      config,
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      workspace,
    ],
    { logDir: work, cwd: work, env: processEnv },
  )
  const url = `http://127.0.0.1:${port}`
  await until(90_000, `code-server to answer ${url}/healthz`, async () => {
    assertRunning(record)
    try {
      return (await fetch(`${url}/healthz`)).status === 200
    } catch {
      return false
    }
  })
  return { url, workspace, userDataDir, record }
}

// ---- the browser --------------------------------------------------------------------------

async function openVsCode(codeServerUrl, workspace) {
  const { chromium } = await import(pathToFileURL(env.playwrightCore).href)
  const browser = await within(
    60_000,
    'Chromium to start',
    chromium.launch({
      executablePath: env.chromium,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    }),
  )
  cleanups.push(() => within(15_000, 'closing Chromium', browser.close()).catch(() => undefined))
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  const tab = await context.newPage()
  tab.setDefaultTimeout(30_000)
  await tab.goto(`${codeServerUrl}/?folder=${encodeURIComponent(workspace)}`)
  await tab.locator('.monaco-workbench').waitFor({ timeout: 90_000 })
  return tab
}

const quickInput = () => page.locator('.quick-input-widget')
const quickRow = (text) => quickInput().locator('.monaco-list-row', { hasText: text }).first()

/** Clicks the first entry of the open quick pick that contains `text`. */
async function pick(text) {
  const row = quickRow(text)
  await row.waitFor({ state: 'visible' })
  // The pointer may rest on another row of a new list, whose hover tooltip covers this one.
  await page.mouse.move(1, 1)
  await row.click()
}

/** Opens the command palette and runs the first command whose label contains `label`. */
async function runCommand(label) {
  const input = quickInput().locator('input.input')
  // F1 is lost now and then while focus moves (a panel opening, a closing notification): retry.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1')
    try {
      await input.waitFor({ state: 'visible', timeout: 5_000 })
      break
    } catch (error) {
      if (attempt === 3) throw error
      await page.keyboard.press('Escape')
    }
  }
  await input.fill(`>${label}`)
  const row = quickInput()
    .locator('.monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: label }) })
    .first()
  await row.waitFor({ state: 'visible' })
  await row.click()
}

/** Waits for the extension's input box with `title`, checks it, and submits `value`. */
async function answerInputBox(title, { value, expectValue, password = false }) {
  const widget = quickInput()
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible' })
  const input = widget.locator('input.input')
  if (expectValue !== undefined) {
    const shown = await input.inputValue()
    if (shown !== expectValue)
      fail(`"${title}" was pre-filled with "${shown}", not "${expectValue}"`)
  }
  if (password && (await input.getAttribute('type')) !== 'password') {
    fail(`"${title}" is not a password box`)
  }
  if (value !== undefined) {
    await input.fill('')
    await input.pressSequentially(value, { delay: 2 })
  }
  await input.press('Enter')
}

/**
 * A notification with `text`, as a toast or, when the toast went before it was seen (a newer
 * notification or a focus change hides toasts), in the notification center, which keeps it.
 */
async function notification(text, timeout) {
  const toast = page.locator('.notification-toast', { hasText: text })
  try {
    await toast.waitFor({ state: 'visible', timeout })
    return toast
  } catch {
    await runCommand('Notifications: Show Notifications')
    const listed = page.locator('.notifications-center .notification-list-item', { hasText: text })
    await listed.waitFor({ state: 'visible', timeout: 10_000 })
    return listed
  }
}

// ---- the test -----------------------------------------------------------------------------

async function main() {
  for (const [what, file] of [
    ['the .vsix', env.vsix],
    ['the API build', env.apiEntry],
    ['code-server', env.codeServer],
    ['playwright-core', env.playwrightCore],
    ['Chromium', env.chromium],
  ]) {
    if (!existsSync(file)) fail(`${what} is missing: ${file}`)
  }
  const work = mkdtempSync(join(tmpdir(), 'tessera-vscode-e2e-'))
  if (!env.keepTemp) cleanups.unshift(() => rmSync(work, { recursive: true, force: true }))
  else say(`keeping ${work}`)
  // Leftovers of an earlier failed run would only confuse.
  rmSync(LOG_ARTIFACTS, { recursive: true, force: true })
  rmSync(FAILURE_SCREENSHOT, { force: true })
  cleanups.push(() => {
    if (failing) saveLogs(work)
  })

  say('starting the Tessera API')
  const api = await startApi(work)
  const token = await createToken(api.url)
  const proxy = await startRecordingProxy(api.url)
  say(`API at ${api.url} (behind recording proxy ${proxy.url}); created token ${token.id}`)

  say('starting code-server')
  const vscode = await prepareCodeServer(work, proxy.url)
  say(`code-server at ${vscode.url}`)

  page = await openVsCode(vscode.url, vscode.workspace)
  say('VS Code is open in Chromium')

  // The extension activates on startup and shows its status bar item.
  const status = page.locator('.statusbar-item', { hasText: 'Tessera' }).first()
  await status.waitFor({ state: 'visible', timeout: 60_000 })
  say('the Tessera extension is active')

  say('running "Tessera: Connect…" and choosing "Sign in with browser"')
  await runCommand('Tessera: Connect…')
  await answerInputBox('Connect Tessera (1/2)', { expectValue: proxy.url })
  const consentTab = page.context().waitForEvent('page', { timeout: 45_000 })
  await pick('Sign in with browser')
  await approveInBrowser(await openedTab(consentTab), vscode.url)
  const connected = await notification('signed in with the browser', 45_000)
  const connectedText = (
    (await connected.locator('.notification-list-item-message').textContent()) ?? ''
  ).replace(/\s+/g, ' ')
  say(`extension says: ${connectedText.slice(0, 200)}`)
  await status.locator('.codicon-check').waitFor({ state: 'visible', timeout: 15_000 })

  const grant = await theGrant(api.url)
  say(`the console lists the connected app "${grant.client.name}" with token ${grant.token.id}`)
  const register = proxy.exchanges.find((e) => e.method === 'POST' && e.path === '/oauth/register')
  const registered = register ? JSON.parse(register.requestBody).redirect_uris : []
  if (!registered?.[0] || !isCodeServerCallback(new URL(registered[0]), vscode.url)) {
    fail(`the extension registered ${JSON.stringify(registered)}, not code-server's callback URL`)
  }
  say(`registered redirect URI (exact): ${registered[0]}`)

  say('starting the MCP server from "MCP: List Servers"')
  await mcpServerAction('Start Server')

  const calls = await until(60_000, 'initialize and tools/list to reach the API', async () => {
    await acceptTrustPrompt()
    const seen = mcpCalls(proxy.exchanges)
    const listed = seen.some((call) => call.method === 'tools/list' && call.exchange.complete)
    return listed && seen.some((call) => call.method === 'initialize') ? seen : undefined
  })
  const accessToken = checkMcpTraffic(calls)
  await checkPromptsListed(proxy.exchanges)
  await checkApiLog(grant.token.id, api.requests)

  await showServerRunning()
  mkdirSync(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: SCREENSHOT })
  say(`screenshot: ${SCREENSHOT}`)
  checkNoTokenOnDisk(vscode.userDataDir, accessToken)

  say('running "Tessera: Sign Out": the grant is revoked on the server')
  await runCommand('Notifications: Clear All Notifications')
  await runCommand('Tessera: Sign Out')
  await notification('the connection was ended on the server', 30_000)
  const revoke = proxy.exchanges.find((e) => e.method === 'POST' && e.path === '/oauth/revoke')
  if (revoke?.status !== 200) fail(`POST /oauth/revoke was answered ${revoke?.status}`)
  const after = (await listGrants(api.url)).find((g) => g.id === grant.id)
  if (after?.status !== 'revoked') fail(`after Sign Out the grant is ${after?.status}, not revoked`)
  say('POST /oauth/revoke answered 200 and the console lists the grant as revoked')

  say('the fallback: "Tessera: Connect…" → "Paste an API token" into its password box')
  await runCommand('Notifications: Clear All Notifications')
  await runCommand('Tessera: Connect…')
  await answerInputBox('Connect Tessera (1/2)', { expectValue: proxy.url })
  await pick('Paste an API token')
  await answerInputBox('Connect Tessera: paste a token', { value: token.secret, password: true })
  const pasted = await notification('Connected to', 30_000)
  const pastedText = (
    (await pasted.locator('.notification-list-item-message').textContent()) ?? ''
  ).replace(/\s+/g, ' ')
  if (!pastedText.includes(TOKEN_NAME)) fail(`the connected message does not name "${TOKEN_NAME}"`)
  await status.locator('.codicon-check').waitFor({ state: 'visible', timeout: 15_000 })
  checkNoTokenOnDisk(vscode.userDataDir, token.secret)

  say("PASS: VS Code signed in through the browser (consent page in Chromium), started Tessera's")
  say("      MCP server with the grant's access token, Sign Out revoked the grant, and a pasted")
  say('      token still connects.')
}

/**
 * The tab VS Code opens for the authorization URL. VS Code first asks whether to open an external
 * site (and, when the browser blocked the new tab, offers to open it anyway): both answered Open.
 */
async function openedTab(waiting) {
  let tab
  waiting.then(
    (opened) => {
      tab = opened
    },
    () => undefined,
  )
  await until(45_000, 'VS Code to open the authorization URL in a new tab', async () => {
    if (tab) return true
    const open = page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Open$/ }).first()
    if (await open.isVisible()) {
      say("answering VS Code's dialog: Open")
      await open.click()
    }
    return false
  })
  return tab
}

/** In the new tab: the console's sign-in, then its consent page, where the admin approves. */
async function approveInBrowser(tab, codeServerUrl) {
  tab.setDefaultTimeout(30_000)
  await tab.waitForLoadState()
  say(`the browser opened ${new URL(tab.url()).pathname} on the Tessera server`)
  await tab.waitForURL(/\/sign-in\?redirect=/)
  await tab.getByLabel('Email').fill(ADMIN_EMAIL)
  await tab.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD)
  await tab.getByRole('button', { name: 'Sign in' }).click()
  await tab.waitForURL((url) => url.pathname === '/oauth/consent')
  const client = (await tab.getByTestId('consent-client').textContent())?.trim()
  const back = (await tab.getByTestId('consent-redirect').textContent())?.trim()
  if (!client?.endsWith(' (Tessera extension)'))
    fail(`the consent page names the client "${client}"`)
  if (back !== new URL(codeServerUrl).host) fail(`the consent page sends the browser to ${back}`)
  say(`consent page: "Connect ${client} to Tessera?", back to ${back}`)
  mkdirSync(ARTIFACTS, { recursive: true })
  await tab.screenshot({ path: CONSENT_SCREENSHOT })
  await tab.getByRole('button', { name: 'Connect' }).click()
  // code-server serves its callback page under its versioned base path (/stable-<commit>/callback).
  await tab.waitForURL((url) => isCodeServerCallback(url, codeServerUrl), { waitUntil: 'commit' })
  say("the browser came back to code-server's /callback page")
}

/** code-server's /callback page, which hands a response to the extension's URI handler. */
function isCodeServerCallback(url, codeServerUrl) {
  return (
    url.origin === new URL(codeServerUrl).origin &&
    url.pathname.endsWith('/callback') &&
    url.searchParams.get('vscode-authority') === 'tessera.tessera-vscode'
  )
}

/** The one connected app of the admin, as the console lists it. */
async function theGrant(apiUrl) {
  const grants = (await listGrants(apiUrl)).filter((g) => g.status === 'active')
  if (grants.length !== 1) fail(`expected one connected app, the console lists ${grants.length}`)
  return grants[0]
}

/** MCP: List Servers → Tessera → `action`, as a user does it. */
async function mcpServerAction(action) {
  await runCommand('MCP: List Servers')
  await pick('Tessera')
  await pick(action)
}

/** Some VS Code versions ask once whether to trust a server an extension contributes. */
async function acceptTrustPrompt() {
  const trust = page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Trust/ }).first()
  if (await trust.isVisible()) {
    say("trusting the server in VS Code's dialog")
    await trust.click()
  }
}

/** Every MCP request carried the same Bearer access token; answers it (for the disk check). */
function checkMcpTraffic(calls) {
  const expected = calls[0]?.exchange.authorization ?? ''
  if (!/^Bearer tsr_[0-9A-Za-z]+$/.test(expected)) {
    fail('initialize reached the API without a Bearer access token')
  }
  for (const method of ['initialize', 'notifications/initialized', 'tools/list']) {
    const matching = calls.filter((call) => call.method === method)
    if (method === 'notifications/initialized' && matching.length === 0) continue
    if (matching.length === 0) fail(`VS Code never sent ${method}`)
    for (const call of matching) {
      if (call.exchange.authorization !== expected) {
        fail(
          `${method} reached the API ${call.exchange.authorization ? 'with another Authorization header' : 'without an Authorization header'}`,
        )
      }
    }
    const statuses = [...new Set(matching.map((call) => call.exchange.status))]
    if (!statuses.every((status) => status >= 200 && status < 300)) {
      fail(`${method} was answered with ${statuses.join(', ')}`)
    }
    say(`${method}: ${matching.length}× with the access token's Authorization header (${statuses})`)
  }

  const listCall = calls.find((call) => call.method === 'tools/list')
  const answer = jsonRpcMessages(listCall.exchange.responseBody).find(
    (message) => message.id === listCall.id,
  )
  const tools = answer?.result?.tools?.map((tool) => tool.name) ?? []
  const missing = TESSERA_TOOLS.filter((name) => !tools.includes(name))
  if (missing.length) {
    fail(`tools/list did not answer Tessera's tools (missing ${missing}); got: ${tools.join(', ')}`)
  }
  say(`tools/list answered ${tools.length} tools: ${tools.join(', ')}`)
  return expected.slice('Bearer '.length)
}

/** The API's own request log agrees: the MCP requests were authenticated as the grant's token. */
async function checkApiLog(tokenId, apiRequests) {
  const logged = () =>
    apiRequests.filter((entry) => entry.path === '/api/v1/mcp' && entry.method === 'POST')
  const asToken = () =>
    logged().filter((entry) => entry.tokenId === tokenId && entry.status === 200)
  // The line is written after the response, so it may trail what the proxy saw.
  await until(10_000, 'the API to log initialize and tools/list', () => asToken().length >= 2)
  const strangers = logged().filter((entry) => entry.tokenId !== tokenId)
  if (strangers.length)
    fail(`the API logged MCP requests without the token: ${JSON.stringify(strangers)}`)
  say(`API log: ${asToken().length} MCP requests authenticated as the grant's token ${tokenId}`)
}

/**
 * Beyond tools: VS Code lists the prompts a server announces (they become `/mcp.tessera.<name>`
 * commands in chat) on its own, with nobody opening a menu. Its `prompts/list` request and
 * Tessera's answer, seen on the wire, show that VS Code has standup, triage and work_on_task.
 */
async function checkPromptsListed(exchanges) {
  const listed = await until(60_000, "VS Code to list Tessera's prompts", async () => {
    const call = mcpCalls(exchanges).find((c) => c.method === 'prompts/list' && c.exchange.complete)
    if (!call) return undefined
    const answer = jsonRpcMessages(call.exchange.responseBody).find((m) => m.id === call.id)
    return answer ? { call, answer } : undefined
  })
  const names = (listed.answer.result?.prompts ?? []).map((prompt) => prompt.name)
  for (const name of ['standup', 'triage', 'work_on_task']) {
    if (!names.includes(name))
      fail(`prompts/list answered ${JSON.stringify(names)}, without ${name}`)
  }
  say(`VS Code listed Tessera's prompts: ${names.join(', ')}`)
}

/**
 * For the screenshot, and as VS Code's own account of the tools: the MCP server's output channel
 * ("Discovered N tools") and chat's tool picker opened on Tessera's tools.
 */
async function showServerRunning() {
  await mcpServerAction('Show Output')
  await page
    .locator('.part.panel .view-lines', { hasText: /Discovered\s+\d+\s+tools/ })
    .first()
    .waitFor({ state: 'visible', timeout: 20_000 })
  // Chat's tool picker: VS Code's own view of the tools the server announced. The "Connected"
  // toast covers the chat input until it fades: clear it rather than wait.
  await runCommand('Notifications: Clear All Notifications')
  await page.locator('a.action-label[aria-label^="Configure Tools"]').first().click()
  await quickRow('Tessera').waitFor({ state: 'visible' })
  await quickRow('Built-In').locator('.monaco-tl-twistie').click()
  await quickRow('Tessera').locator('.monaco-tl-twistie').click()
  for (const tool of TESSERA_TOOLS) {
    await quickRow(tool).waitFor({ state: 'visible', timeout: 10_000 })
  }
  say(`chat's tool picker lists Tessera with ${TESSERA_TOOLS.join(', ')}, …`)
}

/** The token must not appear in settings, logs or any other file VS Code wrote. */
function checkNoTokenOnDisk(userDataDir, secret) {
  const offenders = []
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) visit(path)
      else if (entry.isFile() && statSync(path).size < 50_000_000) {
        if (readFileSync(path).includes(secret)) offenders.push(path)
      }
    }
  }
  visit(userDataDir)
  if (offenders.length) fail(`the token was written to: ${offenders.join(', ')}`)
  say('the token is in no file under the user data dir (settings, logs, state)')
}

function saveLogs(work) {
  try {
    mkdirSync(LOG_ARTIFACTS, { recursive: true })
    for (const { name, logFile } of children) {
      if (existsSync(logFile)) copyFileSync(logFile, join(LOG_ARTIFACTS, `${name}.log`))
    }
    const vscodeLogs = join(work, 'user-data', 'logs')
    if (existsSync(vscodeLogs)) copyDir(vscodeLogs, join(LOG_ARTIFACTS, 'vscode-logs'))
    console.error(`[e2e] logs saved in ${LOG_ARTIFACTS}`)
  } catch (error) {
    console.error(`[e2e] could not save logs: ${error}`)
  }
}

function copyDir(from, to) {
  mkdirSync(to, { recursive: true })
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.isDirectory()) copyDir(join(from, entry.name), join(to, entry.name))
    else if (entry.isFile()) copyFileSync(join(from, entry.name), join(to, entry.name))
  }
}

/** Runs every cleanup step once, newest first, each with a time limit. */
async function cleanup() {
  while (cleanups.length) {
    const step = cleanups.pop()
    try {
      await within(20_000, 'cleanup step', Promise.resolve().then(step))
    } catch (error) {
      console.error(`[e2e] cleanup: ${error}`)
    }
  }
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g')

async function report(error) {
  const message = error instanceof E2eFailure ? error.message : (error?.stack ?? String(error))
  console.error(`\n[e2e] FAILED: ${message.replace(ANSI, '')}\n`)
  if (page) {
    mkdirSync(ARTIFACTS, { recursive: true })
    await within(10_000, 'failure screenshot', page.screenshot({ path: FAILURE_SCREENSHOT }))
      .then(() => console.error(`[e2e] screenshot of the failure: ${FAILURE_SCREENSHOT}`))
      .catch(() => undefined)
  }
  for (const { name, logFile } of children) {
    if (existsSync(logFile)) {
      console.error(`----- last lines of ${name} -----\n${tail(readFileSync(logFile, 'utf8'), 15)}`)
    }
  }
}

/** Ends the run exactly once, whoever asks first: the test, the watchdog or a signal. */
let finishing
function finish(code, error) {
  finishing ??= (async () => {
    clearTimeout(watchdog)
    failing = code !== 0
    if (error) await report(error)
    await cleanup()
    if (code === 0) say('done')
    process.exit(code)
  })()
  return finishing
}

const watchdog = setTimeout(() => {
  void finish(1, new E2eFailure(`the whole run took longer than ${env.budgetSeconds} s`))
}, env.budgetSeconds * 1000)

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.error(`[e2e] ${signal}: stopping`)
    void finish(130)
  })
}

await main().then(
  () => finish(0),
  (error) => finish(1, error),
)
