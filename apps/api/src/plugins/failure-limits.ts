import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { Redis } from 'ioredis'
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible'
import { AppError } from '../lib/errors.js'
import { sha256Hex } from '../lib/secrets.js'

export interface Limit {
  max: number
  windowMs: number
}

export interface FailureLimitOptions {
  /** Distinct unknown credentials (tokens, session cookies, setup codes) per client address. */
  unknownCredentials?: Limit
  /** Wrong passwords per account and client address. */
  signIn?: Limit
  /** OAuth client registrations (RFC 7591) per client address. */
  clientRegistrations?: Limit
  /** OAuth authorization requests per client address (each is kept until answered or expired). */
  authorizationRequests?: Limit
  /** Client metadata document fetches per host of the document's URL. */
  clientMetadataFetches?: Limit
  /** Shared store for every instance; without it each instance counts on its own. */
  redisUrl?: string | undefined
}

declare module 'fastify' {
  interface FastifyInstance {
    failureLimits: FailureLimits
  }
}

/**
 * Limits what is being guessed, not who is asking. A client that sends many different unknown
 * credentials is slowed down, but only for unknown credentials: a valid token or session from the
 * same address (behind one proxy that is everybody) keeps working, and a client repeating one stale
 * token, or a revoked or expired one, is told why on every request without locking anyone out.
 * Wrong passwords are counted per account and address, so a guesser cannot lock the account's
 * owner out from elsewhere. With REDIS_URL the counts are shared by every instance.
 */
export class FailureLimits {
  private readonly unknown: RateLimiterAbstract
  private readonly passwords: RateLimiterAbstract
  private readonly registrations: RateLimiterAbstract
  private readonly authorizations: RateLimiterAbstract
  private readonly metadataFetches: RateLimiterAbstract
  /** Unknown credentials already counted per address: repeating one is not guessing. */
  private readonly seen = new Map<string, number>()
  private readonly seenTtlMs: number

  constructor(
    options: Required<Omit<FailureLimitOptions, 'redisUrl'>>,
    private readonly redis: Redis | null,
  ) {
    this.unknown = limiter('tessera:unknown-credential', options.unknownCredentials, redis)
    this.passwords = limiter('tessera:sign-in', options.signIn, redis)
    this.registrations = limiter('tessera:oauth-register', options.clientRegistrations, redis)
    this.authorizations = limiter('tessera:oauth-authorize', options.authorizationRequests, redis)
    this.metadataFetches = limiter('tessera:oauth-metadata', options.clientMetadataFetches, redis)
    this.seenTtlMs = options.unknownCredentials.windowMs
  }

  /**
   * Counts an unknown credential from the client's address, once per distinct credential, and
   * throws 429 when the address has sent too many.
   */
  async unknownCredential(request: FastifyRequest, credential: string) {
    const key = `${request.ip}\n${sha256Hex(credential)}`
    const now = Date.now()
    const until = this.seen.get(key)
    if (until !== undefined && until > now) {
      // A repeat: still refused while the address is over its limit, but not counted again.
      const state = await this.unknown.get(request.ip)
      if (state && state.remainingPoints <= 0 && state.msBeforeNext > 0) {
        throw tooManyUnknown(state.msBeforeNext)
      }
      return
    }
    if (this.seen.size >= 100_000) this.seen.clear()
    this.seen.set(key, now + this.seenTtlMs)
    await consume(this.unknown, request.ip, tooManyUnknown)
  }

  /** Throws 429 while this account is locked for this address, before the password is checked. */
  async assertSignInAllowed(request: FastifyRequest, email: string) {
    const state = await this.passwords.get(signInKey(request, email))
    if (state && state.remainingPoints <= 0 && state.msBeforeNext > 0) {
      throw tooManyPasswords(state.msBeforeNext)
    }
  }

  async wrongPassword(request: FastifyRequest, email: string) {
    await consume(this.passwords, signInKey(request, email), tooManyPasswords)
  }

  async signedIn(request: FastifyRequest, email: string) {
    await this.passwords.delete(signInKey(request, email))
  }

  /**
   * Counts an OAuth client registration from the client's address, and throws 429 when it has
   * registered too many: registration is open to anyone, so a flood is capped per address.
   */
  async clientRegistration(request: FastifyRequest) {
    await consume(this.registrations, request.ip, tooManyRegistrations)
  }

  /** Counts an OAuth authorization request from the client's address; 429 past the limit. */
  async authorizationRequest(request: FastifyRequest) {
    await consume(this.authorizations, request.ip, tooManyAuthorizations)
  }

  /**
   * Counts a fetch of a client metadata document from this host; 429 past the limit. Anyone can
   * make the server fetch a URL by naming it as client_id, and failures are never cached: without
   * this, requests from many addresses could have the server hammer one host.
   */
  async clientMetadataFetch(host: string) {
    await consume(this.metadataFetches, host, tooManyMetadataFetches)
  }

  async close() {
    this.redis?.disconnect()
  }
}

const signInKey = (request: FastifyRequest, email: string) =>
  `${request.ip}\n${sha256Hex(email.trim().toLowerCase())}`

function limiter(keyPrefix: string, limit: Limit, redis: Redis | null): RateLimiterAbstract {
  const seconds = Math.max(1, Math.ceil(limit.windowMs / 1000))
  const options = { keyPrefix, points: limit.max, duration: seconds, blockDuration: seconds }
  if (!redis) return new RateLimiterMemory(options)
  // If Redis cannot be reached, each instance keeps counting on its own rather than failing.
  return new RateLimiterRedis({
    ...options,
    storeClient: redis,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory(options),
  })
}

async function consume(
  limiter: RateLimiterAbstract,
  key: string,
  refuse: (msBeforeNext: number) => AppError,
) {
  try {
    await limiter.consume(key)
  } catch (error) {
    if (error instanceof RateLimiterRes) throw refuse(error.msBeforeNext)
    throw error
  }
}

const retryAfter = (ms: number) => ({ 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) })

const tooManyUnknown = (ms: number) =>
  new AppError(429, 'rate_limited', 'Too many unknown credentials from your address.', {
    hint: 'Check that the token or code is copied in full and still current; valid tokens keep working meanwhile.',
    headers: retryAfter(ms),
  })

const tooManyRegistrations = (ms: number) =>
  new AppError(429, 'rate_limited', 'Too many client registrations from your address.', {
    hint: 'An MCP client registers once per server; wait before trying again.',
    headers: retryAfter(ms),
  })

const tooManyAuthorizations = (ms: number) =>
  new AppError(429, 'rate_limited', 'Too many authorization requests from your address.', {
    hint: 'Finish or cancel the sign-ins already started, then try again.',
    headers: retryAfter(ms),
  })

const tooManyMetadataFetches = (ms: number) =>
  new AppError(
    429,
    'rate_limited',
    "This client's metadata document host has been fetched from too often.",
    {
      hint: 'Wait before connecting this app again.',
      headers: retryAfter(ms),
      oauthError: 'temporarily_unavailable',
    },
  )

const tooManyPasswords = (ms: number) =>
  new AppError(
    429,
    'rate_limited',
    'Too many wrong passwords for this account from your address.',
    {
      hint: 'Wait before trying again, or ask an administrator to reset the password.',
      headers: retryAfter(ms),
    },
  )

export default fp<FailureLimitOptions>(
  async (app, opts) => {
    const redis = opts.redisUrl
      ? new Redis(opts.redisUrl, {
          // Fail fast while Redis is away: the insurance limiter takes over.
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          lazyConnect: false,
        })
      : null
    redis?.on('error', (error) => app.log.warn({ err: error }, 'rate-limit store unavailable'))
    const limits = new FailureLimits(
      {
        unknownCredentials: opts.unknownCredentials ?? { max: 20, windowMs: 60_000 },
        signIn: opts.signIn ?? { max: 10, windowMs: 15 * 60_000 },
        clientRegistrations: opts.clientRegistrations ?? { max: 20, windowMs: 10 * 60_000 },
        authorizationRequests: opts.authorizationRequests ?? { max: 60, windowMs: 10 * 60_000 },
        clientMetadataFetches: opts.clientMetadataFetches ?? { max: 30, windowMs: 10 * 60_000 },
      },
      redis,
    )
    app.decorate('failureLimits', limits)
    app.addHook('onClose', async () => limits.close())
  },
  { name: 'failure-limits' },
)
