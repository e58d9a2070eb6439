import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { distFile } from './helper.js'

/**
 * A process that takes part in lock races: on `go <dir> <time>` it waits for that moment, tries
 * to lock the folder and answers `won`, `lost` (in use) or `error ...`. A winner keeps its lock,
 * alive, until the end.
 */
const CONTENDER = `
import { createInterface } from 'node:readline'
const { lockDataDir } = await import(process.argv[1])
for await (const line of createInterface({ input: process.stdin })) {
  const [, dir, at] = line.split(' ')
  while (Date.now() < Number(at)) {}
  try {
    lockDataDir(dir)
    process.stdout.write('won\\n')
  } catch (error) {
    process.stdout.write(/in use/.test(error.message) ? 'lost\\n' : 'error ' + error.message + '\\n')
  }
}
`

interface Contender {
  child: ChildProcessWithoutNullStreams
  next: () => Promise<string>
}

function startContender(): Contender {
  const module = pathToFileURL(distFile('lib/data-dir-lock.js')).href
  const child = spawn(process.execPath, ['--input-type=module', '-e', CONTENDER, module], {
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  return {
    child,
    next: async () => {
      const line = await lines.next()
      if (line.done) throw new Error('contender exited')
      return line.value
    },
  }
}

/** The pid of a process that has ended. */
function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
    child.on('error', reject)
    child.on('exit', () => resolve(child.pid as number))
  })
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tessera-lock-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('data folder lock', () => {
  it('after a crash, of many processes starting together exactly one takes the stale lock', async () => {
    const contenders = Array.from({ length: 8 }, startContender)
    try {
      let dead = await deadPid()
      for (let round = 0; round < 30; round++) {
        if (isAlive(dead)) dead = await deadPid()
        const dir = join(root, `race-${round}`)
        await rm(dir, { recursive: true, force: true })
        await mkdir(dir)
        // A lock left by a crashed server, in the old one-line format or the current one.
        const content = round % 2 ? `${dead}` : `${dead}\n0123456789abcdef\n`
        writeFileSync(join(dir, 'tessera.pid'), content)

        const at = Date.now() + 50
        for (const c of contenders) c.child.stdin.write(`go ${dir} ${at}\n`)
        const results = await Promise.all(contenders.map((c) => c.next()))

        expect(
          results.filter((r) => r === 'won'),
          `round ${round}: ${results}`,
        ).toHaveLength(1)
        expect(results.filter((r) => r === 'lost')).toHaveLength(contenders.length - 1)
        const winner = contenders[results.indexOf('won')]
        const lock = readFileSync(join(dir, 'tessera.pid'), 'utf8')
        expect(Number(lock.split('\n')[0])).toBe(winner?.child.pid)
        // Nothing is left behind but the lock itself.
        expect(readdirSync(dir)).toEqual(['tessera.pid'])
      }
    } finally {
      for (const c of contenders) c.child.kill('SIGKILL')
    }
  })

  it('a process killed while taking over a stale lock does not block the next start', async () => {
    const dir = join(root, 'claim-left')
    await mkdir(dir)
    const lockFile = join(dir, 'tessera.pid')
    const content = `${await deadPid()}\nfedcba9876543210\n`
    writeFileSync(lockFile, content)
    // The claim that process had made on the stale lock, holding its own pid.
    const key = createHash('sha256')
      .update(`${statSync(lockFile).ino}:${content}`)
      .digest('hex')
      .slice(0, 16)
    writeFileSync(join(dir, `tessera.pid.claim-${key}`), `${await deadPid()}\n0000111122223333\n`)

    const contender = startContender()
    try {
      contender.child.stdin.write(`go ${dir} 0\n`)
      expect(await contender.next()).toBe('won')
      expect(readdirSync(dir)).toEqual(['tessera.pid'])
    } finally {
      contender.child.kill('SIGKILL')
    }
  })

  it('a live holder keeps the lock; released, it can be taken again', async () => {
    const dir = join(root, 'live')
    const { lockDataDir } = (await import(
      pathToFileURL(distFile('lib/data-dir-lock.js')).href
    )) as typeof import('../src/lib/data-dir-lock.js')
    const unlock = lockDataDir(dir)
    const contender = startContender()
    try {
      contender.child.stdin.write(`go ${dir} 0\n`)
      expect(await contender.next()).toBe('lost')
      unlock()
      expect(existsSync(join(dir, 'tessera.pid'))).toBe(false)
      contender.child.stdin.write(`go ${dir} 0\n`)
      expect(await contender.next()).toBe('won')
    } finally {
      contender.child.kill('SIGKILL')
    }
  })
})
