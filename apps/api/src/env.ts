import { existsSync } from 'node:fs'
import { isIP } from 'node:net'
import { resolve } from 'node:path'
import { z } from 'zod'
import { DEFAULT_SERVER_LIMITS } from './lib/server-limits.js'

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v)
const optionalString = z.preprocess(emptyToUndefined, z.string().optional())
/** A duration in whole milliseconds, at least 1. */
const milliseconds = (fallback: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).default(fallback))

/**
 * Which proxies' X-Forwarded-For to believe: `false` (none), a hop count (`1` for one proxy in
 * front), or the proxies' addresses and CIDR ranges. `true` (trust every hop) is refused: any
 * client could then choose its own address and slip past the failure limits.
 */
const TrustProxy = z.union([
  z.literal('false').transform(() => false as const),
  z
    .string()
    .regex(/^\d{1,2}$/)
    .transform(Number)
    .pipe(z.number().int().min(0).max(32)),
  z
    .string()
    .refine((v) => v !== 'true', {
      message:
        "true would trust any client's X-Forwarded-For; give the number of proxies in front (e.g. 1) or their addresses (e.g. 10.0.0.0/8)",
    })
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine((list) => list.length > 0 && list.every(isAddressOrRange), {
      message:
        'must be false, a number of proxies, or comma-separated proxy addresses / CIDR ranges (e.g. 10.0.0.0/8,127.0.0.1)',
    }),
])

function isAddressOrRange(value: string): boolean {
  const [address = '', bits, ...rest] = value.split('/')
  const version = isIP(address)
  if (version === 0 || rest.length > 0) return false
  if (bits === undefined) return true
  const n = Number(bits)
  return /^\d+$/.test(bits) && n >= 0 && n <= (version === 4 ? 32 : 128)
}

/** Every setting Tessera reads from the environment, validated once at boot. */
export const EnvSchema = z
  .object({
    PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
    HOST: z.preprocess(emptyToUndefined, z.string().min(1).default('127.0.0.1')),
    TESSERA_DATA_DIR: optionalString,
    DATABASE_URL: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
        .optional(),
    ),
    TESSERA_ADMIN_EMAIL: z.preprocess(emptyToUndefined, z.email().optional()),
    TESSERA_ADMIN_PASSWORD: z.preprocess(
      emptyToUndefined,
      z.string().min(12, 'must be at least 12 characters').optional(),
    ),
    TESSERA_PUBLIC_URL: z.preprocess(
      emptyToUndefined,
      z
        .url({ protocol: /^https?$/ })
        .transform((u) => u.replace(/\/+$/, ''))
        .optional(),
    ),
    TESSERA_ALLOWED_ORIGINS: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .optional()
        .transform((v) =>
          v
            ? v
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean)
            : [],
        ),
    ),
    TLS_CERT_FILE: optionalString,
    TLS_KEY_FILE: optionalString,
    LOG_LEVEL: z.preprocess(
      emptyToUndefined,
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ),
    TESSERA_REQUEST_TIMEOUT_MS: milliseconds(DEFAULT_SERVER_LIMITS.requestTimeoutMs),
    TESSERA_HEADERS_TIMEOUT_MS: milliseconds(DEFAULT_SERVER_LIMITS.headersTimeoutMs),
    TESSERA_KEEP_ALIVE_TIMEOUT_MS: milliseconds(DEFAULT_SERVER_LIMITS.keepAliveTimeoutMs),
    TESSERA_IDLE_TIMEOUT_MS: milliseconds(DEFAULT_SERVER_LIMITS.idleTimeoutMs),
    TESSERA_MAX_CONNECTIONS: z.preprocess(
      emptyToUndefined,
      z.coerce.number().int().min(1).optional(),
    ),
    TESSERA_SHUTDOWN_TIMEOUT_MS: milliseconds(10_000),
    TESSERA_ALLOWED_HOSTS: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .optional()
        .transform((v) =>
          v
            ? v
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean)
            : [],
        ),
    ),
    TRUST_PROXY: z.preprocess(emptyToUndefined, TrustProxy.default(false)),
    REDIS_URL: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
        .optional(),
    ),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.TESSERA_ADMIN_EMAIL) !== Boolean(env.TESSERA_ADMIN_PASSWORD)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.TESSERA_ADMIN_EMAIL ? 'TESSERA_ADMIN_PASSWORD' : 'TESSERA_ADMIN_EMAIL'],
        message: 'TESSERA_ADMIN_EMAIL and TESSERA_ADMIN_PASSWORD must be set together',
      })
    }
    if (Boolean(env.TLS_CERT_FILE) !== Boolean(env.TLS_KEY_FILE)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.TLS_CERT_FILE ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE'],
        message: 'TLS_CERT_FILE and TLS_KEY_FILE must be set together',
      })
    }
    if (env.TESSERA_HEADERS_TIMEOUT_MS > env.TESSERA_REQUEST_TIMEOUT_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['TESSERA_HEADERS_TIMEOUT_MS'],
        message: 'must not be longer than TESSERA_REQUEST_TIMEOUT_MS',
      })
    }
    for (const key of ['TLS_CERT_FILE', 'TLS_KEY_FILE'] as const) {
      const file = env[key]
      if (file && !existsSync(file)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `file not found: ${file}` })
      }
    }
  })

export type Env = z.infer<typeof EnvSchema>

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Parses the environment or throws a ConfigError whose message names every bad variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = EnvSchema.safeParse(source)
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = issue.path.join('.') || 'environment'
      return `  ${name}: ${issue.message}`
    })
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`)
  }
  return result.data
}

/**
 * Where the embedded database lives: TESSERA_DATA_DIR, else ./data. Relative paths are taken from
 * the folder the user ran the command in (pnpm runs scripts inside the package, so INIT_CWD).
 */
export function resolveDataDir(
  env: Pick<Env, 'TESSERA_DATA_DIR'>,
  cwd = process.env.INIT_CWD || process.cwd(),
): string {
  return resolve(cwd, env.TESSERA_DATA_DIR ?? 'data')
}
