import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SqliteEmbeddingCache } from './node'

describe('SqliteEmbeddingCache', () => {
  let directory: string
  const open: SqliteEmbeddingCache[] = []
  const openCache = (options: ConstructorParameters<typeof SqliteEmbeddingCache>[1] = {}) => {
    const cache = new SqliteEmbeddingCache(join(directory, 'nested', 'cache.sqlite'), options)
    open.push(cache)
    return cache
  }

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'edgeclip-sqlite-cache-'))
  })
  afterEach(() => {
    for (const cache of open.splice(0)) cache.close()
    rmSync(directory, { recursive: true, force: true })
  })

  it('round-trips float32 rows exactly, across connections to the same file', async () => {
    const row = Float32Array.from({ length: 768 }, (_, index) => Math.sin(index) * 1e-3)
    await openCache().setMany([{ key: 't:1', vector: row }])
    const [stored, missing] = await openCache().getMany(['t:1', 't:2'])
    expect(stored).toEqual(row)
    expect(missing).toBeUndefined()
  })

  it('uses WAL journaling so the CLI and gateway can share the file', async () => {
    const { DatabaseSync } = process.getBuiltinModule('node:sqlite')
    const cache = openCache()
    const database = new DatabaseSync(cache.path)
    expect(database.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' })
    database.close()
  })

  it('hides expired entries and evicts them', async () => {
    let now = 1_000_000
    const cache = openCache({ ttlSeconds: 10, now: () => now })
    await cache.setMany([{ key: 'a', vector: Float32Array.of(1) }])
    now += 9_999
    expect(await cache.getMany(['a'])).toEqual([Float32Array.of(1)])
    now += 1
    expect(await cache.getMany(['a'])).toEqual([undefined])
    expect(cache.evict()).toBe(1)
  })

  it('trims the oldest writes beyond maxEntries every evictEveryWrites writes', async () => {
    const cache = openCache({ maxEntries: 3, evictEveryWrites: 5 })
    for (const key of ['a', 'b', 'c', 'd']) await cache.setMany([{ key, vector: Float32Array.of(1) }])
    // Four writes: below the eviction period, nothing trimmed yet.
    expect((await cache.getMany(['a'])).every((vector) => vector !== undefined)).toBe(true)
    await cache.setMany([{ key: 'e', vector: Float32Array.of(1) }])
    const present = (await cache.getMany(['a', 'b', 'c', 'd', 'e'])).map((vector) => vector !== undefined)
    expect(present).toEqual([false, false, true, true, true])
  })
})
