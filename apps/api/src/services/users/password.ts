import { hash, verify } from '@node-rs/argon2'

// OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane).
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS)
}

let dummyHash: Promise<string> | undefined

/**
 * Checks a password against a stored argon2id hash. With no hash (unknown user) it still runs a
 * verification so the answer takes as long as for a real account.
 */
export async function verifyPassword(stored: string | undefined, password: string) {
  if (!stored) {
    dummyHash ??= hashPassword('tessera-timing-equaliser')
    await verify(await dummyHash, password).catch(() => false)
    return false
  }
  return verify(stored, password).catch(() => false)
}
