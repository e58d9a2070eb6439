/**
 * The cross-window `RenewalCoordinator`: a lock directory and a small file of spent refresh-token
 * hashes in the extension's global storage folder, which every window of this editor shares.
 * `mkdir` either creates the lock or fails with EEXIST, atomically; a lock left by a window that
 * died is taken over once it is older than `staleMs`. Only SHA-256 hashes of refresh tokens that
 * are already used up are written, never a usable secret.
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createLocalCoordinator, type RenewalCoordinator } from './token-refresh.js'

export interface FileCoordinatorOptions {
  staleMs?: number
  /** Give up waiting for the lock after this long and proceed (a stuck file must not block). */
  maxWaitMs?: number
  now?: () => number
  sleep?: (ms: number) => Promise<void>
}

const KEEP_SPENT_MS = 24 * 60 * 60_000

export function createFileCoordinator(
  dir: string,
  options: FileCoordinatorOptions = {},
): RenewalCoordinator {
  const staleMs = options.staleMs ?? 30_000
  const maxWaitMs = options.maxWaitMs ?? 60_000
  const now = options.now ?? Date.now
  const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)))
  const lockDir = join(dir, 'renewal.lock')
  const spentFile = join(dir, 'spent-refresh-tokens.json')
  // Within this window, one at a time as well (the directory lock is per machine).
  const local = createLocalCoordinator()

  async function acquire(): Promise<boolean> {
    await mkdir(dir, { recursive: true })
    const deadline = now() + maxWaitMs
    for (;;) {
      try {
        await mkdir(lockDir)
        return true
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      }
      const held = await stat(lockDir).catch(() => undefined)
      if (held && now() - held.mtimeMs > staleMs) {
        await rm(lockDir, { recursive: true, force: true })
        continue
      }
      if (now() > deadline) return false
      await sleep(100)
    }
  }

  async function readSpent(): Promise<Record<string, number>> {
    try {
      const value: unknown = JSON.parse(await readFile(spentFile, 'utf8'))
      return typeof value === 'object' && value !== null ? (value as Record<string, number>) : {}
    } catch {
      return {}
    }
  }

  return {
    exclusive(task) {
      return local.exclusive(async () => {
        const locked = await acquire()
        try {
          return await task()
        } finally {
          if (locked) await rm(lockDir, { recursive: true, force: true })
        }
      })
    },
    async wasSpent(hash) {
      return (await readSpent())[hash] !== undefined
    },
    async markSpent(hash) {
      const spent = await readSpent()
      const cutoff = now() - KEEP_SPENT_MS
      const kept = Object.fromEntries(Object.entries(spent).filter(([, at]) => at > cutoff))
      kept[hash] = now()
      await mkdir(dir, { recursive: true })
      const temporary = `${spentFile}.${process.pid}.tmp`
      await writeFile(temporary, JSON.stringify(kept))
      await rename(temporary, spentFile)
    },
  }
}
