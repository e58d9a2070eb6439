import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import {
  StreamableHTTPClientTransport,
  type StreamableHTTPClientTransportOptions,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { ERROR_HINTS } from '@tessera/core'
import { eq } from 'drizzle-orm'
import { expect } from 'vitest'
import type { App } from '../src/app.js'
import { apiTokens } from '../src/db/schema/index.js'
import { userWithToken } from './helper.js'

/**
 * The built admin console (`apps/admin/dist`), for tests of the app exactly as shipped: its page
 * fallback once answered MCP clients' OAuth probes with HTML, which an app built without a
 * console could not show. Fails loudly when the console is not built.
 */
export function builtConsoleDir(): string {
  const dir = fileURLToPath(new URL('../../admin/dist/', import.meta.url))
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`${dir}index.html is missing: build the console first (pnpm build)`)
  }
  return dir
}

/** Listens on a free loopback port and returns the base URL (`http://127.0.0.1:PORT`). */
export async function listen(app: App, protocol: 'http' | 'https' = 'http'): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (!address || typeof address !== 'object') throw new Error('not listening on a TCP port')
  return `${protocol}://127.0.0.1:${address.port}`
}

/**
 * A self-signed certificate for 127.0.0.1, made with the openssl CLI: what a self-hoster gets
 * from `openssl req -x509` for `TLS_CERT_FILE`/`TLS_KEY_FILE`.
 */
export function selfSignedCertificate(dir: string) {
  const certFile = join(dir, 'cert.pem')
  const keyFile = join(dir, 'key.pem')
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=Tessera test',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  )
  return { certFile, cert: readFileSync(certFile), key: readFileSync(keyFile) }
}

export const mcpPath = '/api/v1/mcp'

/**
 * An SDK client connected over Streamable HTTP with the given Authorization header value, as an
 * MCP host configured with a header would be.
 */
export async function connect(
  url: string,
  authorization: string,
  options: Pick<StreamableHTTPClientTransportOptions, 'fetch'> = {},
): Promise<Client> {
  const client = new Client({ name: 'tessera-tests', version: '1.0.0' })
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { Authorization: authorization } },
      ...options,
    }),
  )
  return client
}

/** The single text block of a tool result. */
export function textOf(result: Awaited<ReturnType<Client['callTool']>>): string {
  const content = (result as CallToolResult).content
  expect(content).toHaveLength(1)
  const [block] = content
  if (block?.type !== 'text') throw new Error(`expected a text block, got ${JSON.stringify(block)}`)
  return block.text
}

/** A successful tool result: not an error, with structured content and a text form. */
export function structured<T>(result: Awaited<ReturnType<Client['callTool']>>): T {
  expect(result.isError, JSON.stringify(result)).toBeFalsy()
  expect(textOf(result).length).toBeGreaterThan(0)
  expect(result.structuredContent).toBeTypeOf('object')
  return result.structuredContent as T
}

/** The file a package's `bin` entry points to, run with `node` (never downloaded at test time). */
export function binOf(pkg: string, name: string): string {
  const dir = fileURLToPath(new URL(`../node_modules/${pkg}/`, import.meta.url))
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    bin: string | Record<string, string>
  }
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin[name]
  if (!bin) throw new Error(`${pkg} has no bin named ${name}`)
  return join(dir, bin)
}

/**
 * A throwaway home folder, so that tools which keep state under `~` (mcp-remote's `~/.mcp-auth`,
 * the Inspector's config) never read or write the real one.
 */
export function throwawayHome() {
  const home = mkdtempSync(join(tmpdir(), 'tessera-mcp-home-'))
  return {
    home,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      USERPROFILE: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      XDG_CACHE_HOME: join(home, '.cache'),
      MCP_REMOTE_CONFIG_DIR: join(home, '.mcp-auth'),
      // No browser may be opened for an OAuth flow.
      BROWSER: 'false',
    },
    remove: () => rmSync(home, { recursive: true, force: true }),
  }
}

/**
 * A token that worked once and is now refused, revoked or expired, with what the server says
 * about it: the reason a user must see in their MCP client.
 */
export async function refusedToken(app: App, reason: 'revoked' | 'expired') {
  const { session, token } = await userWithToken(app, 'member', {
    name: `${reason} token`,
    expiresInDays: 1,
  })
  if (reason === 'revoked') {
    const res = await app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${token.id}`,
      headers: session.headers,
    })
    expect(res.statusCode).toBe(204)
  } else {
    await app.db
      .update(apiTokens)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(apiTokens.id, token.id))
  }
  const code = reason === 'revoked' ? 'token_revoked' : 'token_expired'
  return { secret: token.secret, code, message: ERROR_HINTS[code].message } as const
}
