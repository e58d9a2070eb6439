import { describe, expect, it } from 'vitest'
import { isLoopbackHost, mcpEndpoint, normalizeServerUrl } from '../src/server-url.js'

const accepted = (input: string) => {
  const verdict = normalizeServerUrl(input)
  if (!verdict.ok) throw new Error(`rejected: ${verdict.problem}`)
  return verdict
}
const problemOf = (input: string) => {
  const verdict = normalizeServerUrl(input)
  if (verdict.ok) throw new Error(`accepted as ${verdict.url}`)
  return verdict.problem
}

describe('server URL normalisation', () => {
  it.each([
    ['https://tessera.example.com', 'https://tessera.example.com'],
    ['  https://tessera.example.com/  ', 'https://tessera.example.com'],
    ['https://Tessera.Example.com:443//', 'https://tessera.example.com'],
    ['https://tessera.example.com:8443', 'https://tessera.example.com:8443'],
    ['http://localhost:3000/', 'http://localhost:3000'],
    ['https://corp.example.com/tessera/', 'https://corp.example.com/tessera'],
  ])('keeps the base address of %s as %s', (input, url) => {
    expect(accepted(input).url).toBe(url)
  })

  it.each([
    ['https://tessera.example.com/api/v1/mcp', 'https://tessera.example.com', '/api/v1/mcp'],
    ['https://tessera.example.com/api/v1/', 'https://tessera.example.com', '/api/v1'],
    ['https://tessera.example.com/api', 'https://tessera.example.com', '/api'],
    ['https://tessera.example.com/tokens', 'https://tessera.example.com', '/tokens'],
    [
      'https://corp.example.com/tessera/api/v1/mcp',
      'https://corp.example.com/tessera',
      '/api/v1/mcp',
    ],
    ['https://tessera.example.com/healthz', 'https://tessera.example.com', '/healthz'],
  ])('trims the pasted Tessera path of %s', (input, url, removed) => {
    const verdict = accepted(input)
    expect(verdict.url).toBe(url)
    expect(verdict.notes).toContainEqual({ kind: 'trimmed_path', removed })
  })

  it('assumes https when no scheme is given', () => {
    const verdict = accepted('tessera.example.com')
    expect(verdict.url).toBe('https://tessera.example.com')
    expect(verdict.notes).toContainEqual({ kind: 'assumed_https' })
    expect(accepted('localhost:3000').url).toBe('https://localhost:3000')
  })

  it('warns about plain http to another machine, not to this one', () => {
    expect(accepted('http://tessera.example.com').notes).toContainEqual({
      kind: 'insecure_http',
      host: 'tessera.example.com',
    })
    for (const local of [
      'http://localhost:3000',
      'http://127.0.0.1:3000',
      'http://[::1]:3000',
      'http://tessera.localhost',
    ]) {
      expect(accepted(local).notes.map((n) => n.kind)).not.toContain('insecure_http')
    }
  })

  it.each([
    ['', /Enter the address/],
    ['ftp://tessera.example.com', /https:\/\//],
    ['file:///etc/passwd', /https:\/\//],
    ['https://ada:secret@tessera.example.com', /user name and password/],
    ['https://tessera.example.com/?x=1', /after \? or #/],
    ['https://tessera.example.com/#top', /after \? or #/],
    ['https://tessera example.com', /spaces/],
    ['https://', /not a valid address/],
  ])('refuses %j with a reason', (input, reason) => {
    expect(problemOf(input)).toMatch(reason)
  })

  it('builds the MCP endpoint from the base address', () => {
    expect(mcpEndpoint('https://corp.example.com/tessera')).toBe(
      'https://corp.example.com/tessera/api/v1/mcp',
    )
  })

  it('treats only loopback names and addresses as local', () => {
    expect(isLoopbackHost('127.0.0.2')).toBe(true)
    expect(isLoopbackHost('localhost')).toBe(true)
    expect(isLoopbackHost('10.0.0.1')).toBe(false)
    expect(isLoopbackHost('localhost.example.com')).toBe(false)
  })
})
