import { generateToken, hashToken } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { sha256Hex } from '../src/lib/secrets.js'

describe('token hashing', () => {
  it("the API's fast hash equals core's hashToken, so stored hashes always match", async () => {
    for (let i = 0; i < 50; i++) {
      const token = generateToken()
      expect(sha256Hex(token)).toBe(await hashToken(token))
    }
  })
})
