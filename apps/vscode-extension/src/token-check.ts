/**
 * Is this token good for this server? Checked locally first (prefix and checksum, no network),
 * then by the server (`GET /tokens/self`), then `GET /me` for the owner's name.
 */
import { checkTokenFormat } from '@tessera/core'
import type { ApiFailure, TesseraClient } from './api-client.js'

/** Who and what a valid token stands for; never contains the secret. */
export interface Identity {
  userName?: string
  userEmail?: string
  tokenId: string
  tokenName: string
  tokenPrefix: string
  scopes: string[]
  expiresAt: string | null
}

export type CheckFailure =
  | ApiFailure
  /** Rejected locally: not a Tessera token, or a typo (checksum). No request was made. */
  | { kind: 'format'; code: 'token_malformed' | 'token_bad_checksum' }

export type TokenCheck = { ok: true; identity: Identity } | { ok: false; failure: CheckFailure }

/**
 * Cleans what people paste: surrounding whitespace, quotes, and a leading `Bearer `.
 * Never logs or returns anything but the candidate token.
 */
export function cleanTokenInput(input: string): string {
  const unquote = (value: string) =>
    value
      .trim()
      .replace(/^["'`]+|["'`]+$/g, '')
      .trim()
  return unquote(unquote(input).replace(/^(?:authorization:\s*)?(?:bearer|api-token)\s+/i, ''))
}

export async function checkToken(client: TesseraClient, token: string): Promise<TokenCheck> {
  const format = checkTokenFormat(token)
  if (!format.ok) return { ok: false, failure: { kind: 'format', code: format.code } }

  const self = await client.tokenSelf(token)
  if (!self.ok) return self
  const meta = self.value.token
  // The server refuses inactive tokens with 401; this only guards against a lenient proxy/cache.
  if (meta.status === 'expired' || meta.status === 'revoked') {
    return { ok: false, failure: { kind: 'rejected', status: 401, code: `token_${meta.status}` } }
  }

  const identity: Identity = {
    tokenId: meta.id,
    tokenName: meta.name,
    tokenPrefix: meta.prefix,
    scopes: meta.scopes,
    expiresAt: meta.expiresAt,
  }
  const me = await client.me(token)
  if (me.ok) {
    identity.userName = me.value.user.name
    identity.userEmail = me.value.user.email
  } else if (me.failure.kind === 'rejected' && me.failure.status === 401) {
    // Revoked or expired between the two requests.
    return me
  }
  // Any other /me failure (a token without the read scope, a blip) only costs us the name.
  return { ok: true, identity }
}
