/** Ready-to-paste configuration for each AI client, with this server's URL and the new token. */

export interface SnippetBlock {
  label: string
  code: string
}

export interface ClientGuide {
  id: 'vscode-extension' | 'vscode-mcp-json' | 'cursor' | 'claude-desktop' | 'curl'
  label: string
  intro: string
  steps: string[]
  blocks: SnippetBlock[]
  note?: string
  /** A link that starts the client's own flow (never carries the token). */
  action?: { label: string; href: string }
}

/** Opens VS Code's Tessera extension on its connect flow with this server's URL filled in. */
export function vscodeConnectLink(origin: string): string {
  return `vscode://tessera.tessera-vscode/connect?server=${encodeURIComponent(origin.replace(/\/+$/, ''))}`
}

const json = (value: unknown) => JSON.stringify(value, null, 2)

export function mcpUrl(origin: string): string {
  return `${origin.replace(/\/+$/, '')}/api/v1/mcp`
}

export function buildClientGuides(input: { origin: string; token: string }): ClientGuide[] {
  const origin = input.origin.replace(/\/+$/, '')
  const url = mcpUrl(origin)
  const bearer = `Bearer ${input.token}`

  return [
    {
      id: 'vscode-extension',
      label: 'VS Code Extension',
      intro:
        'The Tessera extension keeps the token in VS Code’s secret storage and registers the MCP server for you.',
      // Not in the Marketplace yet: the extension comes as a .vsix file built from the repository.
      steps: [
        'Get tessera.vsix from whoever runs this server: it is not in the Marketplace yet. It is built in the Tessera repository with “npx -y pnpm@10.34.9 vsix”.',
        'Install it: “code --install-extension apps/vscode-extension/tessera.vsix” from the repository root (or the path where you saved it), or Extensions → … → Install from VSIX….',
        'Open the Command Palette (Ctrl+Shift+P, or Cmd+Shift+P on macOS) and run “Tessera: Connect…”.',
        'Paste the server URL and the token when asked.',
      ],
      blocks: [
        { label: 'Server URL', code: origin },
        { label: 'Token', code: input.token },
      ],
      action: { label: 'Connect VS Code', href: vscodeConnectLink(origin) },
    },
    {
      id: 'vscode-mcp-json',
      label: 'VS Code mcp.json',
      intro:
        'Add this to .vscode/mcp.json in your project. VS Code asks for the token the first time the server starts and stores it securely.',
      steps: [],
      blocks: [
        {
          label: '.vscode/mcp.json',
          code: json({
            servers: {
              tessera: {
                type: 'http',
                url,
                // biome-ignore lint/suspicious/noTemplateCurlyInString: VS Code's input variable syntax, written literally
                headers: { Authorization: 'Bearer ${input:tessera-token}' },
              },
            },
            inputs: [
              {
                type: 'promptString',
                id: 'tessera-token',
                description: 'Tessera API token',
                password: true,
              },
            ],
          }),
        },
        {
          label: 'Or with the token in the file (keep it out of version control)',
          code: json({
            servers: { tessera: { type: 'http', url, headers: { Authorization: bearer } } },
          }),
        },
      ],
    },
    {
      id: 'cursor',
      label: 'Cursor',
      intro:
        'Add this to ~/.cursor/mcp.json (all projects) or .cursor/mcp.json (one project), then enable “tessera” under Settings → MCP.',
      steps: [],
      blocks: [
        {
          label: '~/.cursor/mcp.json',
          code: json({ mcpServers: { tessera: { url, headers: { Authorization: bearer } } } }),
        },
      ],
    },
    {
      id: 'claude-desktop',
      label: 'Claude Desktop',
      intro:
        'Claude Desktop reaches remote servers through mcp-remote (needs Node.js). Open Settings → Developer → Edit Config and add:',
      steps: [],
      blocks: [
        {
          label: 'claude_desktop_config.json',
          code: json({
            mcpServers: {
              tessera: {
                command: 'npx',
                // biome-ignore lint/suspicious/noTemplateCurlyInString: mcp-remote expands ${AUTH_HEADER} from env
                args: ['-y', 'mcp-remote', url, '--header', 'Authorization:${AUTH_HEADER}'],
                env: { AUTH_HEADER: bearer },
              },
            },
          }),
        },
      ],
      note: 'The header goes through AUTH_HEADER, with no space after “Authorization:”, because on Windows Claude Desktop splits arguments that contain spaces. Restart Claude Desktop after saving.',
    },
    {
      id: 'curl',
      label: 'curl',
      intro: 'Check that the token works: the answer names you and the token.',
      steps: [],
      blocks: [
        {
          label: 'Terminal',
          code: `curl -H "Authorization: ${bearer}" ${origin}/api/v1/me`,
        },
      ],
    },
  ]
}
