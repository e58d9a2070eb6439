import { createHash, randomBytes } from 'node:crypto'
import {
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'

const LOCK = 'tessera.pid'
/** How long to keep trying while other processes are taking over a stale lock. */
const TAKEOVER_WAIT_MS = 2_000

/** The data folder is locked by another live process: the one place that says which. */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError'
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by another Tessera process (pid ${pid}). ` +
        'Stop it first, or point both at a PostgreSQL server with DATABASE_URL.',
    )
  }
}

/** A lock file as read: the pid on its first line, and what identifies this one lock. */
interface Held {
  pid: number
  content: string
  ino: number
}

function isAlive(pid: number) {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function errorCode(error: unknown) {
  return (error as NodeJS.ErrnoException).code
}

/** Reads a lock file; undefined when it is gone. */
function read(path: string): Held | undefined {
  try {
    const content = readFileSync(path, 'utf8')
    const ino = statSync(path).ino
    return { pid: Number(content.split('\n')[0]?.trim()), content, ino }
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined
    throw error
  }
}

const same = (a: Held | undefined, b: Held) => a?.content === b.content && a.ino === b.ino
/** Stale: its process is gone (or is this one, e.g. pid 1 again after a container restart). */
const stale = (held: Held) =>
  !Number.isInteger(held.pid) || held.pid <= 0 || held.pid === process.pid || !isAlive(held.pid)

/** Creates `path` as a link to `draft`: atomic, and only if nothing is there yet. */
function tryLink(draft: string, path: string) {
  try {
    linkSync(draft, path)
    return true
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false
    throw error
  }
}

function remove(path: string) {
  try {
    unlinkSync(path)
  } catch {}
}

function sleep(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/** A name that identifies one particular lock file (its random second line makes it unique). */
function key(held: Held) {
  return createHash('sha256').update(`${held.ino}:${held.content}`).digest('hex').slice(0, 16)
}

/**
 * Becomes the one process allowed to replace the stale lock `held`, by creating its claim file
 * (atomic, so only one process can). A claim left by a process that died while holding it is
 * passed over by claiming the next name in its chain. Returns the claim files walked (the last is
 * ours), or undefined when a live process holds the claim.
 */
function claim(dataDir: string, draft: string, held: Held): string[] | undefined {
  const walked: string[] = []
  let name = `${LOCK}.claim-${key(held)}`
  for (let depth = 0; depth < 16; depth++) {
    const path = join(dataDir, name)
    walked.push(path)
    if (tryLink(draft, path)) return walked
    const holder = read(path)
    if (!holder) return undefined // cleaned up by a winner: the lock has changed hands
    if (!stale(holder)) return undefined
    name = `${name}-${key(holder)}`
  }
  return undefined
}

/** Claim files and drafts left behind by processes that died while locking. */
function removeLeftovers(dataDir: string) {
  for (const name of readdirSync(dataDir)) {
    if (name.startsWith(`${LOCK}.claim-`)) remove(join(dataDir, name))
    const draft = new RegExp(`^${LOCK.replace('.', '\\.')}\\.(\\d+)\\.[0-9a-f]+\\.draft$`).exec(
      name,
    )
    if (draft && !isAlive(Number(draft[1]))) remove(join(dataDir, name))
  }
}

/**
 * The embedded database can be opened by one process at a time; a second one would corrupt it.
 * Takes a pid lock file in the data folder, or throws `DataDirInUseError` naming the process that
 * holds it.
 *
 * Safe against processes starting at the same time, also after a crash left a stale lock: the
 * lock file is written whole under a name of our own and then linked into place (so it is never
 * seen half-written), and a stale lock is replaced only by the one process that claimed it
 * (claims are exclusive, and the lock is checked to be unchanged after claiming, before the
 * atomic rename over it).
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true })
  const lock = join(dataDir, LOCK)
  const nonce = randomBytes(8).toString('hex')
  const mine = `${process.pid}\n${nonce}\n`
  const draft = join(dataDir, `${LOCK}.${process.pid}.${nonce}.draft`)
  writeFileSync(draft, mine, { flag: 'wx' })

  const unlock = () => {
    // Only our own lock: after a forced takeover it could belong to another process.
    if (read(lock)?.content === mine) remove(lock)
  }
  const won = () => {
    remove(draft)
    removeLeftovers(dataDir)
    return unlock
  }

  try {
    const giveUpAt = Date.now() + TAKEOVER_WAIT_MS
    for (;;) {
      if (tryLink(draft, lock)) return won()
      if (Date.now() > giveUpAt) {
        throw new Error(
          `Could not lock ${dataDir}: another process is taking over its stale lock. ` +
            `If no Tessera process is running, remove the ${LOCK}* files in that folder.`,
        )
      }
      const held = read(lock)
      if (!held) continue // released in the meantime
      if (!stale(held)) {
        throw new DataDirInUseError(dataDir, held.pid)
      }
      const claims = claim(dataDir, draft, held)
      if (claims) {
        const ours = claims[claims.length - 1] as string
        try {
          // Only a claimant of this very lock may replace it, and we are the one: unless it has
          // already been replaced (we read it before an earlier claimant finished), it is ours.
          if (same(read(lock), held)) {
            renameSync(draft, lock)
            for (const path of claims) remove(path)
            return won()
          }
        } finally {
          remove(ours)
        }
      } else {
        sleep(10) // another process is taking the stale lock over: see who ends up holding it
      }
    }
  } finally {
    remove(draft)
  }
}
