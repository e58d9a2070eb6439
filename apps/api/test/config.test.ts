import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, loadEnv, resolveDataDir } from '../src/env.js'
import { distFile, runNode } from './helper.js'

let dir: string
let certFile: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-config-'))
  certFile = join(dir, 'cert.pem')
  await writeFile(certFile, 'not really a certificate')
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** The ConfigError that loading this environment throws. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadEnv(env)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error(`loadEnv accepted ${JSON.stringify(env)}`)
}

describe('configuration', () => {
  it('has the documented defaults', () => {
    const env = loadEnv({})
    expect(env).toMatchObject({
      PORT: 3000,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      TRUST_PROXY: false,
      TESSERA_ALLOWED_ORIGINS: [],
    })
    for (const name of [
      'DATABASE_URL',
      'TESSERA_DATA_DIR',
      'TESSERA_ADMIN_EMAIL',
      'TESSERA_ADMIN_PASSWORD',
      'TESSERA_PUBLIC_URL',
      'TLS_CERT_FILE',
      'TLS_KEY_FILE',
    ] as const) {
      expect(env[name], name).toBeUndefined()
    }
  })

  it('reads what is set, and treats empty variables as unset', () => {
    const env = loadEnv({
      PORT: '8443',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgresql://tessera@db.internal:5432/tessera',
      TESSERA_PUBLIC_URL: 'https://tessera.example.com/',
      TESSERA_ALLOWED_ORIGINS: 'https://a.example, https://b.example',
      TESSERA_ADMIN_EMAIL: '',
      TLS_CERT_FILE: '  ',
    })
    expect(env).toMatchObject({
      PORT: 8443,
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgresql://tessera@db.internal:5432/tessera',
      TESSERA_PUBLIC_URL: 'https://tessera.example.com',
      TESSERA_ALLOWED_ORIGINS: ['https://a.example', 'https://b.example'],
    })
    expect(env.TESSERA_ADMIN_EMAIL).toBeUndefined()
    expect(env.TLS_CERT_FILE).toBeUndefined()
  })

  it('an invalid PORT is refused with a message naming PORT', () => {
    for (const PORT of ['abc', '70000', '-1', '1.5']) {
      expect(configError({ PORT }).message, PORT).toContain('PORT')
    }
  })

  it('a DATABASE_URL that is not a PostgreSQL URL is refused, naming the variable', () => {
    for (const DATABASE_URL of ['mysql://localhost/db', 'localhost:5432', 'file:./data']) {
      expect(configError({ DATABASE_URL }).message, DATABASE_URL).toContain('DATABASE_URL')
    }
  })

  it('the first admin needs both an email and a good password', () => {
    expect(configError({ TESSERA_ADMIN_EMAIL: 'admin@example.com' }).message).toContain(
      'TESSERA_ADMIN_PASSWORD',
    )
    expect(configError({ TESSERA_ADMIN_PASSWORD: 'long enough password' }).message).toContain(
      'TESSERA_ADMIN_EMAIL',
    )
    expect(
      configError({ TESSERA_ADMIN_EMAIL: 'admin@example.com', TESSERA_ADMIN_PASSWORD: 'short' })
        .message,
    ).toContain('TESSERA_ADMIN_PASSWORD')
    expect(
      configError({ TESSERA_ADMIN_EMAIL: 'not-an-email', TESSERA_ADMIN_PASSWORD: 'long enough pw' })
        .message,
    ).toContain('TESSERA_ADMIN_EMAIL')
  })

  it('a TLS certificate needs its key, and both files must exist', () => {
    expect(configError({ TLS_CERT_FILE: certFile }).message).toContain('TLS_KEY_FILE')
    expect(configError({ TLS_KEY_FILE: certFile }).message).toContain('TLS_CERT_FILE')
    const missing = configError({ TLS_CERT_FILE: join(dir, 'nope.pem'), TLS_KEY_FILE: certFile })
    expect(missing.message).toMatch(/TLS_CERT_FILE: file not found/)
  })

  it('other invalid values are named too, all at once', () => {
    const error = configError({
      PORT: 'eighty',
      TESSERA_PUBLIC_URL: 'ftp://files.example',
      LOG_LEVEL: 'loud',
      TRUST_PROXY: 'yes',
    })
    for (const name of ['PORT', 'TESSERA_PUBLIC_URL', 'LOG_LEVEL', 'TRUST_PROXY']) {
      expect(error.message).toContain(name)
    }
  })

  it('the data folder defaults to ./data, relative paths taken from the working folder', () => {
    expect(resolveDataDir({ TESSERA_DATA_DIR: undefined }, '/srv/tessera')).toBe(
      '/srv/tessera/data',
    )
    expect(resolveDataDir({ TESSERA_DATA_DIR: 'db' }, '/srv/tessera')).toBe('/srv/tessera/db')
    expect(resolveDataDir({ TESSERA_DATA_DIR: '/var/lib/tessera' }, '/srv')).toBe(
      '/var/lib/tessera',
    )
  })
})

describe('configuration at boot', () => {
  it('the server stops at once on a bad PORT, exiting non-zero and naming the variable', async () => {
    const run = await runNode(distFile('server.js'), [], {
      env: { PORT: 'not-a-port', TESSERA_DATA_DIR: join(dir, 'data') },
    })
    expect(run.code).not.toBe(0)
    expect(run.stderr).toContain('PORT')
    expect(run.stdout).not.toContain('Tessera is running')
  })

  it('the server stops at once on an admin email without a password', async () => {
    const run = await runNode(distFile('server.js'), [], {
      env: { TESSERA_ADMIN_EMAIL: 'admin@example.com', TESSERA_DATA_DIR: join(dir, 'data') },
    })
    expect(run.code).not.toBe(0)
    expect(run.stderr).toContain('TESSERA_ADMIN_PASSWORD')
  })
})
