/**
 * MCP configuration to paste into editors this extension cannot register with. The token is
 * never inlined: VS Code prompts for it (an input variable, stored encrypted by VS Code) and
 * Cursor-style files read it from the environment.
 */
import { mcpEndpoint } from './server-url.js'

export type McpConfigFlavor = 'vscode' | 'cursor'

export const TOKEN_INPUT_ID = 'tessera-token'
export const TOKEN_ENV_VAR = 'TESSERA_TOKEN'

export function buildMcpConfig(serverUrl: string, flavor: McpConfigFlavor): string {
  const url = mcpEndpoint(serverUrl)
  const config =
    flavor === 'vscode'
      ? {
          servers: {
            tessera: {
              type: 'http',
              url,
              headers: { Authorization: `Bearer \${input:${TOKEN_INPUT_ID}}` },
            },
          },
          inputs: [
            {
              type: 'promptString',
              id: TOKEN_INPUT_ID,
              description: 'Tessera API token (starts with tsr_)',
              password: true,
            },
          ],
        }
      : {
          mcpServers: {
            tessera: { url, headers: { Authorization: `Bearer \${env:${TOKEN_ENV_VAR}}` } },
          },
        }
  return `${JSON.stringify(config, null, 2)}\n`
}
