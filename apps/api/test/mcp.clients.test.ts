import { spawn } from 'node:child_process'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { App } from '../src/app.js'
import type { Project, Task } from '../src/contract/index.js'
import {
  bearer,
  buildTestApp,
  createTestUser,
  type NodeRun,
  signIn,
  userWithToken,
} from './helper.js'
import {
  binOf,
  builtConsoleDir,
  listen,
  mcpPath,
  refusedToken,
  structured,
  textOf,
  throwawayHome,
} from './mcp.fixtures.js'
import { approveInConsole } from './oauth.fixtures.js'
import { activityOf, createProject, createTask } from './workspace.fixtures.js'

/**
 * Tessera driven by the clients users actually run, from this package's node_modules (installed
 * with the repo, never downloaded at test time): mcp-remote, the stdio proxy that Claude Desktop,
 * Cursor and Windsurf users configure, and the MCP Inspector's CLI. The app serves the built
 * console, as it does in production: after a 401 these clients probe OAuth paths on the same
 * origin, and what answers there is what their users read.
 */
let app: App
let origin: string
let url: string
const homes: ReturnType<typeof throwawayHome>[] = []
beforeAll(async () => {
  app = await buildTestApp({ consoleDir: builtConsoleDir() })
  origin = await listen(app)
  url = `${origin}${mcpPath}`
})
afterEach(() => {
  for (const home of homes.splice(0)) home.remove()
})
afterAll(async () => {
  // Undefined when the console is not built: the suite has already failed with why.
  await app?.close()
})

const REFUSED = [
  ['revoked', 'a revoked token'],
  ['expired', 'an expired token'],
] as const

function home() {
  const h = throwawayHome()
  homes.push(h)
  return h
}

/**
 * An SDK stdio client talking to `node <mcp-remote> <url> ...args`, as an MCP host would spawn it,
 * with a throwaway home so nothing touches the real ~/.mcp-auth. Its stderr is kept for messages.
 */
function viaMcpRemote(args: string[], env: Record<string, string> = {}) {
  const h = home()
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [binOf('mcp-remote', 'mcp-remote'), url, ...args],
    env: { ...h.env, ...env },
    stderr: 'pipe',
  })
  let stderr = ''
  transport.stderr?.on('data', (chunk) => {
    stderr += chunk
  })
  const client = new Client({ name: 'claude-desktop-stand-in', version: '1.0.0' })
  return { client, transport, stderr: () => stderr }
}

describe('what every client is told about a refused token', () => {
  for (const [reason, aToken] of REFUSED) {
    it(`${aToken} gets a 401 saying why, in the body and in the Bearer challenge`, async () => {
      const refused = await refusedToken(app, reason)
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${refused.secret}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      })
      expect(res.status).toBe(401)
      const body = (await res.json()) as { code: string; detail: string; hint?: string }
      expect(body).toMatchObject({ code: refused.code, detail: refused.message })
      expect(body.hint).toMatch(/API Tokens/)
      // RFC 6750 §3: the reason in the challenge too, for clients that read only the headers;
      // RFC 9728 §5.1: where OAuth clients find how to get a token instead.
      expect(res.headers.get('www-authenticate')).toBe(
        `Bearer realm="tessera", resource_metadata="${origin}/.well-known/oauth-protected-resource/api/v1/mcp", scope="read write", error="invalid_token", error_description="${refused.message}"`,
      )
    })
  }
})

describe('mcp-remote (stdio proxy, as configured for Claude Desktop)', () => {
  it('with --header "Authorization: Api-Token <token>": lists the tools and calls them', async () => {
    const { user, token } = await userWithToken(app, 'member', { name: 'Claude Desktop' })
    const project = await createProject(app, bearer(token.secret))
    const remote = viaMcpRemote(['--header', `Authorization: Api-Token ${token.secret}`])
    try {
      await remote.client.connect(remote.transport)
      expect(remote.client.getServerVersion()?.name).toBe('tessera')
      expect(remote.client.getInstructions()).toContain('Tessera')
      const { tools } = await remote.client.listTools()
      expect(tools.map((t) => t.name)).toEqual(
        expect.arrayContaining(['whoami', 'list_projects', 'create_task', 'update_task']),
      )
      expect(tools).toHaveLength(9)

      const who = await remote.client.callTool({ name: 'whoami', arguments: {} })
      expect(structured<{ user: { id: string } }>(who).user.id).toBe(user.id)
      const listed = await remote.client.callTool({ name: 'list_projects', arguments: {} })
      expect(structured<{ projects: Project[] }>(listed).projects.map((p) => p.key)).toEqual([
        project.key,
      ])
      const created = await remote.client.callTool({
        name: 'create_task',
        arguments: { project: project.key, title: 'Filed from Claude Desktop' },
      })
      expect(structured<{ task: Task }>(created).task.ref).toBe(`${project.key}-1`)
    } finally {
      await remote.client.close()
    }
    expect(remote.stderr(), 'mcp-remote must not fall into an OAuth flow').not.toMatch(
      /Dynamic Client Registration|authorization URL/i,
    )
    const [entry] = await activityOf(app, bearer(token.secret), 'via=mcp')
    expect(entry).toMatchObject({
      action: 'task.created',
      via: 'mcp',
      token: { id: token.id, name: 'Claude Desktop' },
    })
  })

  it("with the README's form: the header value in an AUTH_HEADER environment variable", async () => {
    const { token } = await userWithToken(app)
    // biome-ignore lint/suspicious/noTemplateCurlyInString: mcp-remote expands ${VAR} itself; this is the literal argument the docs give.
    const remote = viaMcpRemote(['--header', 'Authorization:${AUTH_HEADER}'], {
      AUTH_HEADER: `Bearer ${token.secret}`,
    })
    try {
      await remote.client.connect(remote.transport)
      const who = await remote.client.callTool({ name: 'whoami', arguments: {} })
      expect(structured<{ token: { id: string } }>(who).token.id).toBe(token.id)
    } finally {
      await remote.client.close()
    }
  })

  it('a recoverable error reaches the host as an isError result', async () => {
    const { token } = await userWithToken(app)
    const remote = viaMcpRemote(['--header', `Authorization: Bearer ${token.secret}`])
    try {
      await remote.client.connect(remote.transport)
      const res = await remote.client.callTool({ name: 'get_task', arguments: { ref: 'NOPE-1' } })
      expect(res.isError).toBe(true)
      expect(textOf(res)).toMatch(/not found/i)
    } finally {
      await remote.client.close()
    }
  })

  for (const [reason, aToken] of REFUSED) {
    it(`with ${aToken} it gives up at once with the server's JSON answer, never the console page`, async () => {
      const refused = await refusedToken(app, reason)
      const remote = viaMcpRemote(['--header', `Authorization: Bearer ${refused.secret}`])
      const started = Date.now()
      await expect(remote.client.connect(remote.transport)).rejects.toThrow()
      await remote.client.close()
      expect(Date.now() - started).toBeLessThan(20_000)
      await vi.waitFor(() => expect(remote.stderr()).toMatch(/Fatal error/))
      // Its OAuth probes (RFC 9728/8414 metadata, POST /register) once got the console's HTML
      // and it died on `Unexpected token '<'`.
      expect(remote.stderr()).not.toMatch(/Unexpected token|<!doctype|<html/i)
      expect(remote.stderr()).toMatch(/Dynamic Client Registration rejected \(HTTP \d+\): \{"type"/)
    })

    // mcp-remote prints only the answer to its POST /register, which carries its --header: the
    // server judges that token there too and answers with the reason.
    it(`with ${aToken} it ends with the reason the server gave`, async () => {
      const refused = await refusedToken(app, reason)
      const remote = viaMcpRemote(['--header', `Authorization: Bearer ${refused.secret}`])
      await expect(remote.client.connect(remote.transport)).rejects.toThrow()
      await remote.client.close()
      await vi.waitFor(() => expect(remote.stderr()).toMatch(/Fatal error/))
      const fatal = remote.stderr().slice(remote.stderr().lastIndexOf('Fatal error'))
      expect(fatal).toContain(`"code":"${refused.code}"`)
      expect(fatal).toContain(refused.message)
    })
  }

  it('with a wrong token it gives up at once with the client-registration error the docs explain', async () => {
    const remote = viaMcpRemote([
      '--header',
      'Authorization: Bearer tsr_000000000000000000000000000000000000000000000000000',
    ])
    await expect(remote.client.connect(remote.transport)).rejects.toThrow()
    await remote.client.close()
    // What a Claude Desktop user sees in the log: not the 401, but a failed client registration.
    expect(remote.stderr()).toMatch(/Dynamic Client Registration/)
  })

  it('with no --header it signs in through the browser, as Claude Desktop users add a URL', async () => {
    const user = await createTestUser(app)
    const session = await signIn(app, user)
    const remote = viaMcpRemote([])
    const connected = remote.client.connect(remote.transport)
    // Awaited below once the browser part is done; a failure before that fails the test there.
    connected.catch(() => undefined)
    try {
      // mcp-remote registers, prints the authorization URL and waits for the browser on its
      // loopback callback.
      const authorizationUrl = await vi.waitFor(
        () => {
          const match = /Please authorize this client by visiting:\s+(\S+)/.exec(remote.stderr())
          if (!match?.[1]) throw new Error(`no authorization URL yet:\n${remote.stderr()}`)
          return new URL(match[1])
        },
        { timeout: 20_000, interval: 100 },
      )
      expect(authorizationUrl.origin).toBe(origin)
      expect(authorizationUrl.searchParams.get('resource')).toBe(url)
      const redirectTo = await approveInConsole(app, session, authorizationUrl)
      // It prints the URL a moment before its callback server listens; a person is slower.
      await vi.waitFor(() => expect(remote.stderr()).toMatch(/Waiting for authorization/), {
        timeout: 20_000,
        interval: 100,
      })
      expect((await followAsBrowser(redirectTo.href)).status).toBeLessThan(400)

      await connected
      const who = await remote.client.callTool({ name: 'whoami', arguments: {} })
      expect(structured<{ user: { id: string }; token: { name: string } }>(who)).toMatchObject({
        user: { id: user.id },
        token: { name: expect.stringMatching(/\(OAuth\)$/) },
      })
    } finally {
      await remote.client.close()
    }
  })
})

/**
 * The browser following a redirect to a loopback callback: `localhost` may be served on ::1 only
 * (mcp-remote's is), and a browser tries every address the name has.
 */
async function followAsBrowser(location: string): Promise<Response> {
  const target = new URL(location)
  if (target.hostname !== 'localhost') return fetch(target)
  for (const host of ['127.0.0.1', '[::1]']) {
    try {
      return await fetch(new URL(target.href.replace('//localhost', `//${host}`)))
    } catch {
      // Not listening on this address: try the next one.
    }
  }
  throw new Error(`nothing listens at ${location}`)
}

/** Runs the Inspector CLI to the end, with a deadline and a throwaway home. */
function inspector(args: string[], env: Record<string, string> = {}): Promise<NodeRun> {
  const h = home()
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [binOf('@modelcontextprotocol/inspector', 'inspector'), '--cli', ...args],
      {
        env: { ...h.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 30_000,
      },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/**
 * The Inspector CLI as a person at a terminal runs it: it starts an OAuth sign-in after a 401,
 * prints the authorization URL and waits for the browser on its callback port.
 */
function interactiveInspector(args: string[]) {
  const h = home()
  const child = spawn(
    process.execPath,
    [binOf('@modelcontextprotocol/inspector', 'inspector'), '--cli', ...args],
    { env: { ...h.env, MCP_AUTO_OPEN_ENABLED: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let stdout = ''
  let stderr = ''
  const authorizationUrl = new Promise<URL>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`no authorization URL:\n${stderr}`)), 20_000)
    child.stderr.on('data', (chunk) => {
      stderr += chunk
      const match = /Please navigate to: (\S+)/.exec(stderr)
      if (match?.[1]) {
        clearTimeout(deadline)
        resolve(new URL(match[1]))
      }
    })
    child.on('close', () => reject(new Error(`exited without an authorization URL:\n${stderr}`)))
  })
  child.stdout.on('data', (chunk) => {
    stdout += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  return {
    authorizationUrl,
    exited,
    stdout: () => stdout,
    output: () => stdout + stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}

/** The Inspector CLI's error report: the last line of its stderr, one JSON object. */
function lastJsonLine(output: string): unknown {
  const line = output.trim().split('\n').at(-1) ?? ''
  return JSON.parse(line)
}

describe('MCP Inspector CLI', () => {
  it('tools/list with --header "Authorization: Bearer <token>" exits 0 and prints the tools', async () => {
    const { token } = await userWithToken(app)
    const run = await inspector([
      url,
      '--transport',
      'http',
      '--method',
      'tools/list',
      '--header',
      `Authorization: Bearer ${token.secret}`,
    ])
    expect(run.code, run.stderr).toBe(0)
    const { tools } = JSON.parse(run.stdout) as {
      tools: { name: string; title: string; outputSchema?: unknown }[]
    }
    expect(tools.map((t) => t.name).sort()).toEqual(
      [
        'add_comment',
        'create_task',
        'get_task',
        'list_activity',
        'list_projects',
        'list_tasks',
        'search_tasks',
        'update_task',
        'whoami',
      ].sort(),
    )
    for (const tool of tools) expect(tool.outputSchema, tool.name).toBeDefined()
  })

  it('resources/list and prompts/list print the resources and prompts the token may see', async () => {
    const { token } = await userWithToken(app)
    const project = await createProject(app, bearer(token.secret), { name: 'Inspected' })
    const task = await createTask(app, bearer(token.secret), {
      project: project.key,
      title: 'Seen by the Inspector',
    })
    const header = ['--header', `Authorization: Bearer ${token.secret}`]
    const resources = await inspector([
      url,
      '--transport',
      'http',
      '--method',
      'resources/list',
      ...header,
    ])
    expect(resources.code, resources.stderr).toBe(0)
    const listed = JSON.parse(resources.stdout) as {
      resources: { uri: string; title?: string; mimeType?: string }[]
    }
    expect(listed.resources).toEqual([
      expect.objectContaining({
        uri: `tessera://projects/${project.key}`,
        title: `${project.key}: Inspected`,
        mimeType: 'text/markdown',
      }),
      expect.objectContaining({
        uri: `tessera://tasks/${task.ref}`,
        title: `${task.ref}: Seen by the Inspector`,
        mimeType: 'text/markdown',
      }),
    ])

    const prompts = await inspector([
      url,
      '--transport',
      'http',
      '--method',
      'prompts/list',
      ...header,
    ])
    expect(prompts.code, prompts.stderr).toBe(0)
    const { prompts: names } = JSON.parse(prompts.stdout) as { prompts: { name: string }[] }
    expect(names.map((p) => p.name)).toEqual(['standup', 'triage', 'work_on_task'])
  })

  it('tools/call runs a tool with arguments and prints its result', async () => {
    const { token } = await userWithToken(app, 'member', { name: 'inspector' })
    const project = await createProject(app, bearer(token.secret))
    const run = await inspector([
      url,
      '--transport',
      'http',
      '--method',
      'tools/call',
      '--tool-name',
      'create_task',
      '--tool-arg',
      `project=${project.key}`,
      'title=From the Inspector',
      '--header',
      `Authorization: Api-Token ${token.secret}`,
    ])
    expect(run.code, run.stderr).toBe(0)
    const result = JSON.parse(run.stdout) as { structuredContent: { task: Task } }
    expect(result.structuredContent.task).toMatchObject({
      ref: `${project.key}-1`,
      title: 'From the Inspector',
    })
    const [entry] = await activityOf(app, bearer(token.secret), 'via=mcp')
    expect(entry).toMatchObject({ action: 'task.created', token: { name: 'inspector' } })
  })

  for (const [reason, aToken] of REFUSED) {
    it(`with ${aToken} and --stored-auth-only (its mode for scripts) it prints the reason`, async () => {
      const refused = await refusedToken(app, reason)
      const run = await inspector([
        url,
        '--transport',
        'http',
        '--method',
        'tools/list',
        '--header',
        `Authorization: Bearer ${refused.secret}`,
        '--stored-auth-only',
      ])
      expect(run.code, run.stderr).toBe(3)
      const { error } = lastJsonLine(run.stderr) as { error: { code: string; message: string } }
      expect(error.code).toBe('auth_required')
      expect(error.message).toContain(`"code":"${refused.code}"`)
      expect(error.message).toContain(refused.message)
      expect(run.stdout).not.toContain('create_task')
    })

    it(`with ${aToken} at a terminal it is sent to sign in with this server, never to an HTML page`, async () => {
      const refused = await refusedToken(app, reason)
      const run = interactiveInspector([
        url,
        '--transport',
        'http',
        '--method',
        'tools/list',
        '--header',
        `Authorization: Bearer ${refused.secret}`,
      ])
      try {
        // The OAuth discovery it starts after the 401 now succeeds: it registers and prints the
        // authorization URL. (The reason for the 401 is in the answer it got, tested above, and
        // printed in its --stored-auth-only mode for scripts.)
        const authorizationUrl = await run.authorizationUrl
        expect(authorizationUrl.origin).toBe(origin)
        expect(authorizationUrl.pathname).toBe('/oauth/authorize')
        expect(authorizationUrl.searchParams.get('resource')).toBe(url)
        expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256')
        expect(run.output()).not.toMatch(/Unexpected token|<!doctype|<html/i)
      } finally {
        await run.stop()
      }
    })
  }

  it('with no token at a terminal it signs in through the browser and lists the tools', async () => {
    const user = await createTestUser(app)
    const session = await signIn(app, user)
    const run = interactiveInspector([url, '--transport', 'http', '--method', 'tools/list'])
    try {
      const authorizationUrl = await run.authorizationUrl
      // The browser: the authorization URL sends it to the consent page, the user approves there
      // (the console's JSON API), and the browser lands on the Inspector's callback.
      const redirectTo = await approveInConsole(app, session, authorizationUrl)
      const landed = await fetch(redirectTo)
      expect(landed.status).toBeLessThan(400)
      const code = await run.exited
      expect(code, run.output()).toBe(0)
      const { tools } = JSON.parse(run.stdout()) as { tools: { name: string }[] }
      expect(tools.map((t) => t.name)).toContain('create_task')
    } finally {
      await run.stop()
    }
    const tokens = await app.inject({
      method: 'GET',
      url: '/api/v1/tokens',
      headers: session.headers,
    })
    expect(tokens.json().tokens[0].name).toMatch(/\(OAuth\)$/)
  })

  it('a wrong or missing token exits non-zero without listing anything', async () => {
    for (const header of [
      ['--header', 'Authorization: Bearer tsr_000000000000000000000000000000000000000000000000000'],
      [],
    ]) {
      const run = await inspector([url, '--transport', 'http', '--method', 'tools/list', ...header])
      expect(run.code, run.stdout + run.stderr).not.toBe(0)
      expect(run.code).not.toBeNull()
      expect(run.stdout).not.toContain('create_task')
    }
  })
})
