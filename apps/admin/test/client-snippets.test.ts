import { describe, expect, it } from 'vitest'
import { buildClientGuides } from '../src/lib/client-snippets'

const token = 'tsr_secret_value'
const guides = buildClientGuides({ origin: 'http://localhost:3000/', token })
const guide = (id: string) => {
  const found = guides.find((item) => item.id === id)
  if (!found) throw new Error(`no guide ${id}`)
  return found
}

describe('client snippets', () => {
  it("the VS Code extension tab links to the extension's connect flow with the server URL, never the token", () => {
    const action = guide('vscode-extension').action
    expect(action?.href).toBe(
      'vscode://tessera.tessera-vscode/connect?server=http%3A%2F%2Flocalhost%3A3000',
    )
    expect(action?.href).not.toContain(token)
  })

  it('VS Code mcp.json prompts for the token instead of storing it', () => {
    const config = JSON.parse(guide('vscode-mcp-json').blocks[0]?.code ?? '')
    expect(config.servers.tessera).toEqual({
      type: 'http',
      url: 'http://localhost:3000/api/v1/mcp',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: VS Code's input variable syntax
      headers: { Authorization: 'Bearer ${input:tessera-token}' },
    })
    expect(config.inputs[0]).toMatchObject({ id: 'tessera-token', password: true })
    expect(guide('vscode-mcp-json').blocks[0]?.code).not.toContain(token)
    expect(guide('vscode-mcp-json').blocks[1]?.code).toContain(`Bearer ${token}`)
  })

  it('Claude Desktop passes the header through an env var with no space after the colon', () => {
    const config = JSON.parse(guide('claude-desktop').blocks[0]?.code ?? '')
    expect(config.mcpServers.tessera).toEqual({
      command: 'npx',
      args: [
        '-y',
        'mcp-remote',
        'http://localhost:3000/api/v1/mcp',
        '--header',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: mcp-remote's env expansion
        'Authorization:${AUTH_HEADER}',
      ],
      env: { AUTH_HEADER: `Bearer ${token}` },
    })
  })

  it('curl calls /api/v1/me with the bearer token', () => {
    expect(guide('curl').blocks[0]?.code).toBe(
      `curl -H "Authorization: Bearer ${token}" http://localhost:3000/api/v1/me`,
    )
  })
})
