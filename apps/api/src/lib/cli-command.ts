/**
 * The command-line tool as the README runs it, from the repository root (pnpm fetched on the fly,
 * the version pinned in the root package.json's `packageManager`). The start banner and the CLI's
 * own usage print it, so what they show works when pasted; the CLI test holds it to that pin.
 */
export const CLI_COMMAND = 'npx -y pnpm@10.34.9 tessera'
