export type {
  AuthorizationScheme,
  AuthorizationVerdict,
} from './authorization-header.js'
export {
  MAX_AUTHORIZATION_HEADER_LENGTH,
  parseAuthorizationHeader,
} from './authorization-header.js'
export { BASE62_ALPHABET, encodeBase62, encodeBase62Bytes } from './base62.js'
export { crc32 } from './crc32.js'
export type { AuthFailureCode, AuthVerdictFailureCode, ErrorHint } from './error-hints.js'
export { ERROR_HINTS, toAuthFailureCode } from './error-hints.js'
export type { NormalizeScopesResult, Scope, TokenScope } from './scopes.js'
export {
  DEFAULT_SCOPES,
  hasScope,
  normalizeScopes,
  PROJECT_KEY_PATTERN,
  PROJECT_SCOPE_PREFIX,
  projectRestriction,
  SCOPES,
} from './scopes.js'
export type { TokenFormatVerdict } from './token-format.js'
export {
  checkTokenFormat,
  encodeToken,
  generateToken,
  hashToken,
  TOKEN_CHECKSUM_LENGTH,
  TOKEN_LENGTH,
  TOKEN_PATTERN,
  TOKEN_PREFIX,
  TOKEN_RANDOM_BYTES,
  TOKEN_RANDOM_LENGTH,
  TOKEN_SCAN_REGEX_SOURCE,
  tokenDisplayPrefix,
} from './token-format.js'
export type { TokenLifecycle, TokenStatus, TokenVerdict } from './token-status.js'
export { judgeToken, tokenStatus } from './token-status.js'
