import { describe, expect, it } from 'vitest'
import { BatchLoader } from '../src/lib/batch-loader.js'

/** A fetcher whose queries finish only when the test says so. */
function controlledFetcher() {
  const calls: { keys: string[]; finish: (error?: Error) => void }[] = []
  const fetchMany = (keys: string[]) =>
    new Promise<Map<string, string>>((resolve, reject) => {
      calls.push({
        keys,
        finish: (error) =>
          error ? reject(error) : resolve(new Map(keys.map((key) => [key, `value of ${key}`]))),
      })
    })
  return { calls, fetchMany }
}

const turn = () => new Promise((resolve) => setImmediate(resolve))

describe('coalescing lookups', () => {
  it('lookups in the same turn share one query, and each gets its own answer', async () => {
    const { calls, fetchMany } = controlledFetcher()
    const loader = new BatchLoader(fetchMany)
    const answers = Promise.all([loader.load('a'), loader.load('b'), loader.load('a')])
    await turn()
    expect(calls.map((c) => c.keys)).toEqual([['a', 'b']])
    calls[0]?.finish()
    expect(await answers).toEqual(['value of a', 'value of b', 'value of a'])
  })

  it('while the most queries allowed are running, new lookups wait and then go out together', async () => {
    const { calls, fetchMany } = controlledFetcher()
    const loader = new BatchLoader(fetchMany, 256, 1)
    const first = loader.load('a')
    await turn()
    const later = [loader.load('b')]
    await turn()
    later.push(loader.load('c'))
    await turn()
    expect(calls.map((c) => c.keys)).toEqual([['a']])
    calls[0]?.finish()
    expect(await first).toBe('value of a')
    await turn()
    expect(calls.map((c) => c.keys)).toEqual([['a'], ['b', 'c']])
    calls[1]?.finish()
    expect(await Promise.all(later)).toEqual(['value of b', 'value of c'])
  })

  it('a failed query fails only its own lookups; the next ones still go out', async () => {
    const { calls, fetchMany } = controlledFetcher()
    const loader = new BatchLoader(fetchMany, 256, 1)
    const failing = loader.load('a')
    await turn()
    const next = loader.load('b')
    calls[0]?.finish(new Error('connection lost'))
    await expect(failing).rejects.toThrow('connection lost')
    await turn()
    calls[1]?.finish()
    await expect(next).resolves.toBe('value of b')
  })

  it('a query never carries more than the batch limit of keys', async () => {
    const { calls, fetchMany } = controlledFetcher()
    const loader = new BatchLoader(fetchMany, 2, 4)
    const answers = Promise.all(['a', 'b', 'c', 'd', 'e'].map((key) => loader.load(key)))
    await turn()
    expect(calls.map((c) => c.keys)).toEqual([['a', 'b'], ['c', 'd'], ['e']])
    for (const call of calls) call.finish()
    expect(await answers).toHaveLength(5)
  })
})
