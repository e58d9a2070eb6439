/** Typed text for a LIKE/ILIKE pattern: `%`, `_` and `\` match themselves, not as wildcards. */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)
