import { describe, expect, it } from 'vitest'
import { Action } from '../src/actions.js'
import { describeFailure, describeIdentity, describeTimeUntil } from '../src/messages.js'

const server = 'https://tessera.example.com'
const rejected = (code: string, status = 401, extra: object = {}) =>
  describeFailure({ kind: 'rejected', status, code, ...extra }, server)

describe('what the user is told when the server refuses a token', () => {
  it.each([
    ['token_expired', /has expired/],
    ['token_revoked', /has been revoked/],
    ['token_invalid', /tessera\.example\.com does not know this token/],
    ['token_malformed', /not a Tessera token/],
  ])('%s: says so and offers to replace the token', (code, text) => {
    const explanation = rejected(code)
    expect(explanation.message).toMatch(text)
    expect(explanation.actions).toEqual([Action.ReplaceToken, Action.OpenTokenPage])
  })

  it("adds the server's hint, or the shared hint from @tessera/core when the server sent none", () => {
    expect(rejected('token_revoked', 401, { hint: 'Ask Bob.' }).message).toMatch(/Ask Bob\.$/)
    expect(rejected('token_revoked').message).toMatch(/cannot be restored/)
  })

  it('user_disabled: explains that an administrator must act, with nothing to click', () => {
    const explanation = rejected('user_disabled')
    expect(explanation.message).toMatch(/account is disabled/)
    expect(explanation.message).toMatch(/administrator/)
    expect(explanation.actions).toEqual([])
  })

  it.each(['token_missing', 'invalid_scheme'])(
    '%s: points at a proxy dropping the header',
    (code) => {
      expect(rejected(code).message).toMatch(/proxy .* Authorization header/)
    },
  )

  it('insufficient_scope: asks for a token with the right scopes', () => {
    const explanation = rejected('insufficient_scope', 403, {
      message: 'This needs the read scope.',
    })
    expect(explanation.message).toMatch(
      /^This needs the read scope\. Create a token with the read and write scopes/,
    )
    expect(explanation.actions).toContain(Action.ReplaceToken)
  })

  it('permission_denied: repeats what the server said', () => {
    const explanation = rejected('permission_denied', 403, {
      message: 'This needs the ManageApiTokens permission.',
      hint: 'Ask an administrator.',
    })
    expect(explanation.message).toMatch(/ManageApiTokens permission.*Ask an administrator/)
  })

  it('rate_limited: says when to try again', () => {
    expect(rejected('rate_limited', 429, { retryAfterSeconds: 30 }).message).toMatch(
      /Try again in 30 seconds/,
    )
    expect(rejected('rate_limited', 429).actions).toEqual([Action.TryAgain])
  })

  it('an unknown code: shows the code and the message', () => {
    expect(rejected('teapot', 418, { message: 'I am a teapot' }).message).toMatch(
      /I am a teapot \(teapot, HTTP 418\)/,
    )
  })
})

describe('what the user is told when the token is mistyped', () => {
  it('malformed: explains the token shape; bad checksum: calls it a typo', () => {
    expect(describeFailure({ kind: 'format', code: 'token_malformed' }, server).message).toMatch(
      /starts with tsr_.*53 characters/,
    )
    expect(describeFailure({ kind: 'format', code: 'token_bad_checksum' }, server).message).toMatch(
      /typo/,
    )
  })
})

describe('what the user is told when the server cannot be reached', () => {
  const url = `${server}/api/v1/me`
  it.each([
    ['ECONNREFUSED', /Cannot reach tessera\.example\.com: nothing is listening/],
    ['ENOTFOUND', /does not resolve/],
    ['ECONNRESET', /reset/],
    ['ERR_SSL_WRONG_VERSION_NUMBER', /use an http:\/\/ address/],
  ])('%s', (errorCode, text) => {
    const explanation = describeFailure(
      { kind: 'unreachable', url, errorCode, detail: 'fetch failed' },
      server,
    )
    expect(explanation.message).toMatch(text)
    expect(explanation.actions).toEqual([Action.TryAgain, Action.ChangeServerUrl])
  })

  it('an untrusted certificate: says how to trust it', () => {
    const explanation = describeFailure(
      {
        kind: 'certificate',
        url,
        errorCode: 'SELF_SIGNED_CERT_IN_CHAIN',
        detail: 'self-signed certificate in certificate chain',
      },
      server,
    )
    expect(explanation.message).toMatch(
      /certificate of tessera\.example\.com is not trusted \(SELF_SIGNED_CERT_IN_CHAIN\)/,
    )
    expect(explanation.message).toMatch(/NODE_EXTRA_CA_CERTS/)
    expect(explanation.message).toMatch(/http\.systemCertificates/)
  })

  it('a certificate for another name: says to use that name', () => {
    expect(
      describeFailure(
        { kind: 'certificate', url, errorCode: 'ERR_TLS_CERT_ALTNAME_INVALID', detail: '' },
        server,
      ).message,
    ).toMatch(/issued for another host name/)
  })

  it('a redirect: explains why it cannot work and suggests the final address', () => {
    const explanation = describeFailure(
      {
        kind: 'redirect',
        url: 'http://tessera.example.com/api/v1/me',
        status: 301,
        location: 'https://tessera.example.com/api/v1/me',
      },
      'http://tessera.example.com',
    )
    expect(explanation.message).toMatch(/does not send your token across redirects/)
    expect(explanation.suggestedServerUrl).toBe('https://tessera.example.com')
  })

  it('no Tessera there: asks for the console address', () => {
    expect(describeFailure({ kind: 'not_tessera', url, status: 404 }, server).message).toMatch(
      /No Tessera API answered at https:\/\/tessera\.example\.com \(HTTP 404/,
    )
  })

  it('a timeout and a server error: say what happened', () => {
    expect(describeFailure({ kind: 'timeout', url, seconds: 10 }, server).message).toMatch(
      /did not answer within 10 seconds/,
    )
    expect(describeFailure({ kind: 'server_error', url, status: 503 }, server).message).toMatch(
      /internal error \(HTTP 503\)/,
    )
  })
})

describe('describing a connection', () => {
  const now = Date.parse('2026-03-01T12:00:00Z')
  it('names the user, the token and its expiry', () => {
    expect(
      describeIdentity(
        {
          userName: 'Ada Lovelace',
          userEmail: 'ada@example.com',
          tokenId: 't1',
          tokenName: 'laptop',
          tokenPrefix: 'tsr_3fA9c2',
          scopes: ['read'],
          expiresAt: '2026-03-06T12:00:00Z',
        },
        now,
      ),
    ).toBe(
      ' as Ada Lovelace (ada@example.com) with token "laptop" (tsr_3fA9c2), which expires 2026-03-06 (in 5 days)',
    )
  })

  it('counts hours on the last day and notices an expired date', () => {
    expect(describeTimeUntil('2026-03-01T15:00:00Z', now)).toBe('in 3 hours')
    expect(describeTimeUntil('2026-03-01T11:00:00Z', now)).toBe('already expired')
  })
})
