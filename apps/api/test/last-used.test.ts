import { describe, expect, it } from 'vitest'
import type { Db } from '../src/db/client.js'
import {
  LAST_USED_RESOLUTION_MS,
  LastUsedRecorder,
  type UsageBatch,
} from '../src/services/tokens/last-used.js'

// The recorder against a stand-in writer that keeps what it is asked to write, and holds each
// write in flight until the test lets it finish, as a slow database would. Time is the test's.

interface Write {
  batch: UsageBatch
  /** Token id -> the last-used time written. */
  rows: Map<string, Date>
  finish: () => void
  fail: (error: Error) => void
}

function fakeDatabase(start: number) {
  const clock = { now: start }
  const writes: Write[] = []
  /** What authentication would read: the last-used times of finished writes. */
  const committed = new Map<string, Date>()
  const write = (batch: UsageBatch) => {
    const rows = new Map(batch.lastUses.map((use) => [use.tokenId, use.at]))
    return new Promise<void>((resolve, reject) => {
      writes.push({
        batch,
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
  }
  const recorder = (onError: (error: unknown) => void = () => {}) =>
    new LastUsedRecorder({} as Db, onError, 0, { clock: () => clock.now, write })
  /** Writes that wrote tokens (a flush may also only prune). */
  const tokenWrites = () =>
    writes.filter((w) => w.batch.lastUses.length > 0 || w.batch.counts.length > 0)
  return { clock, writes, committed, recorder, tokenWrites }
}

const settle = () => new Promise((resolve) => setImmediate(resolve))

/** Flushes and lets every write it starts finish at once. */
async function flushNow(recorder: LastUsedRecorder, writes: Write[]) {
  const count = writes.length
  const done = recorder.flush()
  await settle()
  for (const write of writes.slice(count)) write.finish()
  await done
}

/** Closes (which writes everything) and lets the writes finish. */
async function closeNow(recorder: LastUsedRecorder, writes: Write[]) {
  const count = writes.length
  const done = recorder.close()
  await settle()
  for (const write of writes.slice(count)) write.finish()
  await done
}

const START = Date.parse('2026-03-01T10:00:00Z')

describe('last-used times', () => {
  it('a token seen while its write is in flight is not queued again', async () => {
    const { clock, writes, committed, recorder, tokenWrites } = fakeDatabase(START)
    const rec = recorder()
    const token = { id: '7d5a4a3e-8f2b-4c61-9d0e-2f4b6c8a1e3d', lastUsedAt: null }

    rec.touch(token, '192.0.2.1', 'curl')
    const flushing = rec.flush()
    await settle()
    expect(tokenWrites()).toHaveLength(1)
    // Authenticated before the write commits: the row still says "never used".
    clock.now = START + 1_000
    rec.touch(token, '192.0.2.1', 'curl')
    for (const write of writes) write.finish()
    await flushing
    await flushNow(rec, writes)
    expect(tokenWrites()).toHaveLength(1)

    // After the write, within the minute: the value read says so as well.
    clock.now = START + 30_000
    const seen = { ...token, lastUsedAt: committed.get(token.id) ?? null }
    rec.touch(seen, '192.0.2.1', 'curl')
    await flushNow(rec, writes)
    expect(tokenWrites()).toHaveLength(1)

    // A minute on: written again, once, with the two requests counted meanwhile.
    clock.now = START + LAST_USED_RESOLUTION_MS
    rec.touch(seen, '192.0.2.1', 'curl')
    clock.now += 1
    rec.touch(seen, '192.0.2.1', 'curl')
    await flushNow(rec, writes)
    expect(tokenWrites()).toHaveLength(2)
    const second = tokenWrites()[1]
    expect(second?.rows.get(token.id)).toEqual(new Date(START + LAST_USED_RESOLUTION_MS))
    expect(second?.batch.counts.map((c) => c.requests)).toEqual([4])
  })

  it('under steady traffic with slow writes, each token is written once a minute, exactly', async () => {
    const { clock, writes, committed, recorder } = fakeDatabase(START)
    const rec = recorder()
    const ids = [
      '0b6f3c1e-1a2b-4c3d-8e4f-5a6b7c8d9e01',
      '0b6f3c1e-1a2b-4c3d-8e4f-5a6b7c8d9e02',
      '0b6f3c1e-1a2b-4c3d-8e4f-5a6b7c8d9e03',
    ]
    const minutes = 5
    const inFlight: { until: number; write: Write; done: Promise<void> }[] = []
    let requests = 0
    // A request every 100 ms, round robin over the tokens; a flush every 5 s that takes 2.5 s.
    for (let time = START; time < START + minutes * 60_000; time += 100) {
      clock.now = time
      for (const pending of inFlight.filter((p) => p.until <= time)) {
        pending.write.finish()
        await pending.done
        inFlight.splice(inFlight.indexOf(pending), 1)
      }
      const id = ids[((time - START) / 100) % ids.length] as string
      rec.touch({ id, lastUsedAt: committed.get(id) ?? null }, null, 'node')
      requests += 1
      if ((time - START) % 5_000 === 0) {
        const count = writes.length
        const done = rec.flush()
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
      const written = writes.filter((write) => write.batch.counts.some((c) => c.tokenId === id))
      const times = written.map((write) => write.rows.get(id)?.getTime())
      expect(times, id).toHaveLength(minutes)
      for (let i = 1; i < times.length; i++) {
        expect((times[i] as number) - (times[i - 1] as number), id).toBeGreaterThanOrEqual(
          LAST_USED_RESOLUTION_MS,
        )
      }
    }
    expect(rec.rowsWritten).toBe(minutes * ids.length)

    // Every request is counted once: what was written, and what shutdown writes.
    await closeNow(rec, writes)
    const counted = writes.flatMap((w) => w.batch.counts).reduce((n, c) => n + c.requests, 0)
    expect(counted).toBe(requests)
  })

  it('a write that fails lets the next request queue the token again, and keeps its counts', async () => {
    const { clock, writes, recorder, tokenWrites } = fakeDatabase(START)
    const errors: unknown[] = []
    const rec = recorder((error) => errors.push(error))
    const token = { id: '5c2e9f4a-3b1d-4e6f-a7c8-9d0e1f2a3b4c', lastUsedAt: null }
    rec.touch(token, null, '')
    const failing = rec.flush()
    await settle()
    writes[0]?.fail(new Error('connection lost'))
    await failing
    expect(errors).toHaveLength(1)

    clock.now = START + 5_000
    rec.touch(token, null, '')
    await flushNow(rec, writes)
    expect(tokenWrites()).toHaveLength(2)
    expect(rec.rowsWritten).toBe(1)
    expect(tokenWrites()[1]?.batch.lastUses[0]?.at).toEqual(new Date(START + 5_000))
    expect(tokenWrites()[1]?.batch.counts[0]?.requests).toBe(2)
  })
})

describe('token usage counts', () => {
  const token = { id: '1f0c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b', lastUsedAt: null }

  it('counts requests per UTC day, client and address, with the latest time of each', async () => {
    const { clock, writes, recorder } = fakeDatabase(Date.parse('2026-03-01T23:59:58Z'))
    const rec = recorder()
    rec.touch(token, '10.0.0.5', 'Cursor 1.7')
    rec.touch(token, '10.0.0.5', 'Cursor 1.7')
    rec.touch(token, '10.0.0.6', 'Cursor 1.7')
    rec.touch(token, '10.0.0.5', 'curl')
    clock.now = Date.parse('2026-03-02T00:00:01Z')
    rec.touch(token, '10.0.0.5', 'Cursor 1.7')
    rec.touch(token, null, '')
    await closeNow(rec, writes)

    const counts = writes.flatMap((w) => w.batch.counts)
    expect(
      counts.map((c) => [c.day, c.client, c.address, c.requests, c.lastAt.toISOString()]),
    ).toEqual([
      ['2026-03-01', 'Cursor 1.7', '10.0.0.5', 2, '2026-03-01T23:59:58.000Z'],
      ['2026-03-01', 'Cursor 1.7', '10.0.0.6', 1, '2026-03-01T23:59:58.000Z'],
      ['2026-03-01', 'curl', '10.0.0.5', 1, '2026-03-01T23:59:58.000Z'],
      ['2026-03-02', 'Cursor 1.7', '10.0.0.5', 1, '2026-03-02T00:00:01.000Z'],
      ['2026-03-02', '', '', 1, '2026-03-02T00:00:01.000Z'],
    ])
    // The last use is the first request of the minute, with its client and address.
    expect(writes.flatMap((w) => w.batch.lastUses)).toEqual([
      {
        tokenId: token.id,
        at: new Date('2026-03-01T23:59:58Z'),
        ip: '10.0.0.5',
        client: 'Cursor 1.7',
      },
    ])
  })

  it('a client that varies its User-Agent per request cannot grow the counters without bound', async () => {
    const { writes, recorder } = fakeDatabase(START)
    const rec = recorder()
    for (let i = 0; i < 1_000; i++) rec.touch(token, '10.0.0.5', `made-up-${i}`)
    await closeNow(rec, writes)
    const counts = writes.flatMap((w) => w.batch.counts)
    expect(counts.length).toBeLessThanOrEqual(101)
    expect(counts.reduce((n, c) => n + c.requests, 0)).toBe(1_000)
    expect(counts.find((c) => c.client === '')?.requests).toBe(1_000 - 100)
  })

  it('prunes days past retention in a flush, at most once an hour', async () => {
    const { clock, writes, recorder } = fakeDatabase(Date.parse('2026-06-30T12:00:00Z'))
    const rec = recorder()
    await flushNow(rec, writes)
    expect(writes.map((w) => w.batch.pruneBefore)).toEqual(['2026-04-01'])
    clock.now += 59 * 60_000
    rec.touch(token, null, 'curl')
    await flushNow(rec, writes)
    expect(writes.map((w) => w.batch.pruneBefore)).toEqual(['2026-04-01', null])
    clock.now += 60_000
    await flushNow(rec, writes)
    expect(writes.map((w) => w.batch.pruneBefore)).toEqual(['2026-04-01', null, '2026-04-01'])
    // Nothing due and no pruning: no statement at all.
    await flushNow(rec, writes)
    expect(writes).toHaveLength(3)
  })

  it('remembers the MCP client per token and address, the least recently seen forgotten first', () => {
    const { recorder } = fakeDatabase(START)
    const rec = recorder()
    rec.rememberMcpClient(token.id, '10.0.0.5', 'Cursor 1.7')
    expect(rec.mcpClient(token.id, '10.0.0.5')).toBe('Cursor 1.7')
    expect(rec.mcpClient(token.id, '10.0.0.6')).toBeUndefined()
    expect(rec.mcpClient('00000000-0000-4000-8000-000000000000', '10.0.0.5')).toBeUndefined()
    for (let i = 0; i < 10_000; i++) rec.rememberMcpClient(`t${i}`, null, 'Other')
    expect(rec.mcpClient(token.id, '10.0.0.5')).toBeUndefined()
    expect(rec.mcpClient('t9999', null)).toBe('Other')
  })
})
