import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import { buildTestApp, userWithToken } from './helper.js'
import {
  binOf,
  listen,
  mcpPath,
  selfSignedCertificate,
  structured,
  throwawayHome,
} from './mcp.fixtures.js'

/**
 * The README's self-signed certificate case: Tessera serving HTTPS itself with a certificate no
 * public CA signed, reached through mcp-remote as Claude Desktop runs it.
 */
const home = throwawayHome()
const certificate = selfSignedCertificate(home.home)
let app: App
let url: string
beforeAll(async () => {
  app = await buildTestApp({ https: { cert: certificate.cert, key: certificate.key } })
  url = `${await listen(app, 'https')}${mcpPath}`
})
afterAll(async () => {
  await app.close()
  home.remove()
})

function mcpRemote(authHeader: string, env: Record<string, string> = {}) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: mcp-remote expands ${VAR} itself; this is the literal argument the docs give.
    args: [binOf('mcp-remote', 'mcp-remote'), url, '--header', 'Authorization:${AUTH_HEADER}'],
    env: { ...home.env, AUTH_HEADER: authHeader, ...env },
    stderr: 'pipe',
  })
  let stderr = ''
  transport.stderr?.on('data', (chunk) => {
    stderr += chunk
  })
  return {
    client: new Client({ name: 'tls-test', version: '1.0.0' }),
    transport,
    stderr: () => stderr,
  }
}

describe('mcp-remote and a self-signed certificate', () => {
  it('fails while Node does not trust the certificate', async () => {
    const { token } = await userWithToken(app)
    const remote = mcpRemote(`Bearer ${token.secret}`)
    await expect(remote.client.connect(remote.transport)).rejects.toThrow()
    await remote.client.close()
    expect(remote.stderr()).toMatch(/self[- ]signed|certificate|fetch failed/i)
  })

  it('works once NODE_EXTRA_CA_CERTS names the certificate, as the README says', async () => {
    const { token } = await userWithToken(app)
    const remote = mcpRemote(`Bearer ${token.secret}`, {
      NODE_EXTRA_CA_CERTS: certificate.certFile,
    })
    try {
      await remote.client.connect(remote.transport)
      const who = await remote.client.callTool({ name: 'whoami', arguments: {} })
      expect(structured<{ token: { id: string } }>(who).token.id).toBe(token.id)
    } finally {
      await remote.client.close()
    }
  })
})
