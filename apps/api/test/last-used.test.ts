import type { SQL } from 'drizzle-orm'
import { PgDialect } from 'drizzle-orm/pg-core'
import { describe, expect, it } from 'vitest'
import type { Db } from '../src/db/client.js'
import { LAST_USED_RESOLUTION_MS, LastUsedRecorder } from '../src/services/tokens/last-used.js'

// The recorder against a stand-in database that counts what it is asked to write, and holds each
// write in flight until the test lets it finish, as a slow database would.

const dialect = new PgDialect()

interface Write {
  /** Token id -> the last-used time written. */
  rows: Map<string, Date>
  finish: () => void
  fail: (error: Error) => void
}

function fakeDatabase() {
  const writes: Write[] = []
  /** What authentication would read: the last-used times of finished writes. */
  const committed = new Map<string, Date>()
  const db = {
    execute(query: SQL) {
      const { params } = dialect.sqlToQuery(query)
      const rows = new Map<string, Date>()
      for (let i = 0; i < params.length; i += 3) {
        rows.set(String(params[i]), new Date(String(params[i + 1])))
      }
      return new Promise<void>((resolve, reject) => {
        writes.push({
          rows,
          finish() {
            for (const [id, at] of rows) {
              const before = committed.get(id)
              if (!before || before < at) committed.set(id, at)
            }
            resolve()
          },
          fail: reject,
        })
      })
    },
  } as unknown as Db
  return { db, writes, committed }
}

const settle = () => new Promise((resolve) => setImmediate(resolve))

describe('last-used times', () => {
  it('a token seen while its write is in flight is not queued again', async () => {
    const { db, writes, committed } = fakeDatabase()
    const recorder = new LastUsedRecorder(db, () => {}, 0)
    const start = Date.parse('2026-03-01T10:00:00Z')
    const token = { id: '7d5a4a3e-8f2b-4c61-9d0e-2f4b6c8a1e3d', lastUsedAt: null }

    recorder.touch(token, '192.0.2.1', new Date(start))
    const flushing = recorder.flush()
    await settle()
    expect(writes).toHaveLength(1)
    // Authenticated before the write commits: the row still says "never used".
    recorder.touch(token, '192.0.2.1', new Date(start + 1_000))
    writes[0]?.finish()
    await flushing
    const again = recorder.flush()
    await settle()
    expect(writes).toHaveLength(1)
    writes[1]?.finish()
    await again

    // After the write, within the minute: the value read says so as well.
    const seen = { ...token, lastUsedAt: committed.get(token.id) ?? null }
    recorder.touch(seen, '192.0.2.1', new Date(start + 30_000))
    const third = recorder.flush()
    await settle()
    expect(writes).toHaveLength(1)
    writes[1]?.finish()
    await third

    // A minute on: written again, once.
    recorder.touch(seen, '192.0.2.1', new Date(start + LAST_USED_RESOLUTION_MS))
    recorder.touch(seen, '192.0.2.1', new Date(start + LAST_USED_RESOLUTION_MS + 1))
    const second = recorder.flush()
    await settle()
    writes[1]?.finish()
    await second
    expect(writes).toHaveLength(2)
    expect(writes[1]?.rows.get(token.id)).toEqual(new Date(start + LAST_USED_RESOLUTION_MS))
  })

  it('under steady traffic with slow writes, each token is written once a minute, exactly', async () => {
    const { db, writes, committed } = fakeDatabase()
    const recorder = new LastUsedRecorder(db, () => {}, 0)
    const ids = [
      '0b6f3c1e-1a2b-4c3d-8e4f-5a6b7c8d9e01',
      '0b6f3c1e-1a2b-4c3d-8e4f-5a6b7c8d9e02',
      '0b6f3c1e-1a2b-4c3d-8e4f-5a6b7c8d9e03',
    ]
    const start = Date.parse('2026-03-01T10:00:00Z')
    const minutes = 5
    const inFlight: { until: number; write: Write; done: Promise<void> }[] = []
    // A request every 100 ms, round robin over the tokens; a flush every 5 s that takes 2.5 s.
    for (let time = start; time < start + minutes * 60_000; time += 100) {
      for (const pending of inFlight.filter((p) => p.until <= time)) {
        pending.write.finish()
        await pending.done
        inFlight.splice(inFlight.indexOf(pending), 1)
      }
      const id = ids[((time - start) / 100) % ids.length] as string
      recorder.touch({ id, lastUsedAt: committed.get(id) ?? null }, null, new Date(time))
      if ((time - start) % 5_000 === 0) {
        const count = writes.length
        const done = recorder.flush()
        await settle()
        const write = writes[count]
        if (write) inFlight.push({ until: time + 2_500, write, done })
        else await done
      }
    }
    for (const pending of inFlight) {
      pending.write.finish()
      await pending.done
    }

    for (const id of ids) {
      const times = writes.flatMap((write) => {
        const at = write.rows.get(id)
        return at ? [at.getTime()] : []
      })
      expect(times, id).toHaveLength(minutes)
      for (let i = 1; i < times.length; i++) {
        expect((times[i] as number) - (times[i - 1] as number), id).toBeGreaterThanOrEqual(
          LAST_USED_RESOLUTION_MS,
        )
      }
    }
    expect(recorder.rowsWritten).toBe(minutes * ids.length)
  })

  it('a write that fails lets the next request queue the token again', async () => {
    const { db, writes } = fakeDatabase()
    const errors: unknown[] = []
    const recorder = new LastUsedRecorder(db, (error) => errors.push(error), 0)
    const start = Date.parse('2026-03-01T10:00:00Z')
    const token = { id: '5c2e9f4a-3b1d-4e6f-a7c8-9d0e1f2a3b4c', lastUsedAt: null }
    recorder.touch(token, null, new Date(start))
    const failing = recorder.flush()
    await settle()
    writes[0]?.fail(new Error('connection lost'))
    await failing
    expect(errors).toHaveLength(1)

    recorder.touch(token, null, new Date(start + 5_000))
    const retry = recorder.flush()
    await settle()
    writes[1]?.finish()
    await retry
    expect(writes).toHaveLength(2)
    expect(recorder.rowsWritten).toBe(1)
  })
})
