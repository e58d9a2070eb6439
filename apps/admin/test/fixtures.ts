import type { Settings, Token, TokenWithSecret } from '@tessera/api/contract'

let counter = 0

/** A token as the API returns it; each call makes a fresh one, overridable field by field. */
export function makeToken(overrides: Partial<Token> = {}): Token {
  counter += 1
  return {
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    name: `Token ${counter}`,
    prefix: `tsr_${String(counter).padStart(6, 'a')}`,
    scopes: ['read', 'write'],
    createdAt: '2025-01-10T10:00:00.000Z',
    expiresAt: null,
    lastUsedAt: null,
    revokedAt: null,
    status: 'active',
    ...overrides,
  }
}

export function makePolicy(overrides: Partial<Settings> = {}): Settings {
  return {
    maxTokenLifetimeDays: null,
    tokenExpiryRequired: false,
    tokensPerUser: null,
    membersCanManageTokens: true,
    ...overrides,
  }
}

export function makeSecret(overrides: Partial<Token> = {}): TokenWithSecret {
  return {
    token: makeToken({ name: 'Cursor MCP', ...overrides }),
    secret: 'tsr_live_0123456789abcdefghijklmnopqrstuv_chk',
  }
}
