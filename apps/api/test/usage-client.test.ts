import { describe, expect, it } from 'vitest'
import { clientFromMcpBody, clientFromUserAgent } from '../src/services/tokens/usage-client.js'

describe('the client named by a User-Agent', () => {
  it('is the product, without version or details', () => {
    expect(clientFromUserAgent('curl/8.5.0')).toBe('curl')
    expect(clientFromUserAgent('python-requests/2.31.0')).toBe('python-requests')
    expect(clientFromUserAgent('node')).toBe('node')
    expect(clientFromUserAgent('Go-http-client/1.1')).toBe('Go-http-client')
    expect(clientFromUserAgent('axios/1.7.2')).toBe('axios')
  })

  it('uses the names people know for our own clients and for browsers', () => {
    expect(clientFromUserAgent('tessera-vscode/0.4.0 (Visual Studio Code 1.95.0)')).toBe(
      'Tessera VS Code',
    )
    expect(
      clientFromUserAgent(
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      ),
    ).toBe('Chrome')
    expect(
      clientFromUserAgent(
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
      ),
    ).toBe('Edge')
    expect(
      clientFromUserAgent('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'),
    ).toBe('Firefox')
  })

  it('is empty when there is nothing to name', () => {
    expect(clientFromUserAgent(undefined)).toBe('')
    expect(clientFromUserAgent('')).toBe('')
    expect(clientFromUserAgent('<script>alert(1)</script>')).toBe('')
    expect(clientFromUserAgent(`${'x'.repeat(500)}/1`)).toHaveLength(40)
  })
})

describe('the client named by an MCP initialize request', () => {
  const initialize = (clientInfo: unknown) => ({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo },
  })

  it('is its name (or title) and version, in a single message or a batch', () => {
    expect(clientFromMcpBody(initialize({ name: 'Cursor', version: '1.7' }))).toBe('Cursor 1.7')
    expect(
      clientFromMcpBody(
        initialize({ name: 'claude-ai', title: 'Claude Desktop', version: '0.14.1' }),
      ),
    ).toBe('Claude Desktop 0.14.1')
    expect(
      clientFromMcpBody([
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        initialize({ name: 'Windsurf', version: '' }),
      ]),
    ).toBe('Windsurf')
  })

  it('is null for other requests and for names that are not text', () => {
    expect(clientFromMcpBody({ jsonrpc: '2.0', id: 2, method: 'tools/list' })).toBeNull()
    expect(clientFromMcpBody(initialize({ name: 42, version: '1' }))).toBeNull()
    expect(clientFromMcpBody(initialize(null))).toBeNull()
    expect(clientFromMcpBody(undefined)).toBeNull()
    expect(clientFromMcpBody('initialize')).toBeNull()
  })

  it('is one short line of printable text', () => {
    const named = clientFromMcpBody(
      initialize({ name: `Evil\n\u0007Client\u202e${'x'.repeat(200)}`, version: '1.0\r\n' }),
    )
    expect(named).toMatch(/^Evil Client x+ 1\.0$/)
    expect(named?.length).toBeLessThanOrEqual(60 + 1 + 24)
  })
})
