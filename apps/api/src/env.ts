import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { z } from 'zod'

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v)
const optionalString = z.preprocess(emptyToUndefined, z.string().optional())

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
    TRUST_PROXY: z.preprocess(
      emptyToUndefined,
      z
        .enum(['true', 'false'])
        .default('false')
        .transform((v) => v === 'true'),
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
