/** Tessera's version, announced by the API and the MCP server. */
export const VERSION = '0.1.0'
