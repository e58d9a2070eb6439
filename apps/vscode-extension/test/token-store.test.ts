import { encodeToken } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { redactingLog, redactSecrets } from '../src/log.js'
import { createSecretTokenStore, SECRET_KEY } from '../src/token-store.js'
import { MemoryLog, MemorySecrets } from './support/harness.js'

// Built at run time so no token-shaped literal sits in the repository for scanners to flag.
const token = encodeToken(new Uint8Array(32).fill(7))
const shown = `${token.slice(0, 10)}…`

describe('token store', () => {
  it('keeps the token with the server it was checked against, under one secret key', async () => {
    const secrets = new MemorySecrets()
    const store = createSecretTokenStore(secrets)
    await store.set({ serverUrl: 'https://t.example.com', token })
    expect([...secrets.values.keys()]).toEqual([SECRET_KEY])
    expect(await store.get()).toEqual({ serverUrl: 'https://t.example.com', token })
    await store.clear()
    expect(await store.get()).toBeUndefined()
  })

  it('announces changes to its key only (other windows included)', async () => {
    const secrets = new MemorySecrets()
    const store = createSecretTokenStore(secrets)
    let changes = 0
    store.onDidChange(() => changes++)
    await secrets.store('someone.else', 'x')
    await secrets.store(SECRET_KEY, '{}')
    expect(changes).toBe(1)
  })

  it('reads a corrupt value as "no token" and logs it without the content', async () => {
    const secrets = new MemorySecrets()
    const log = new MemoryLog()
    await secrets.store(SECRET_KEY, `not json ${token}`)
    expect(await createSecretTokenStore(secrets, log).get()).toBeUndefined()
    expect(log.lines.join()).not.toContain(token)
  })
})

describe('log redaction', () => {
  it('keeps only the display prefix of anything token-shaped', () => {
    expect(redactSecrets(`Authorization: Bearer ${token} failed`)).toBe(
      `Authorization: Bearer ${shown} failed`,
    )
    const log = new MemoryLog()
    redactingLog(log).error(`oops ${token}`)
    expect(log.lines).toEqual([`error oops ${shown}`])
  })
})
