import type { EmbeddingCache } from '@edgeclip/core'
import { describe, expect, it } from 'vitest'
import { MemoryKv } from '../testing/memory-kv'
import { cacheStatus, KvEmbeddingCache, LruEmbeddingCache, TieredEmbeddingCache } from '.'

const vector = (...values: number[]) => Float32Array.from(values)

describe('LruEmbeddingCache', () => {
  it('returns stored vectors and misses in key order', async () => {
    const cache = new LruEmbeddingCache({ maxBytes: 1_000 })
    await cache.setMany([
      { key: 'a', vector: vector(1, 2) },
      { key: 'b', vector: vector(3, 4) },
    ])
    expect(await cache.getMany(['b', 'x', 'a'])).toEqual([vector(3, 4), undefined, vector(1, 2)])
  })

  it('counts key and vector bytes and evicts the least recently used first', async () => {
    // Each entry: 1-byte key + 2 floats (8 bytes) = 9 bytes; budget for three.
    const cache = new LruEmbeddingCache({ maxBytes: 27 })
    await cache.setMany(['a', 'b', 'c'].map((key) => ({ key, vector: vector(1, 2) })))
    expect(cache.bytes).toBe(27)
    await cache.getMany(['a'])
    await cache.setMany([{ key: 'd', vector: vector(5, 6) }])
    expect(cache.size).toBe(3)
    const [a, b, c, d] = await cache.getMany(['a', 'b', 'c', 'd'])
    expect([a !== undefined, b !== undefined, c !== undefined, d !== undefined]).toEqual([
      true,
      false,
      true,
      true,
    ])
    expect(cache.bytes).toBeLessThanOrEqual(27)
  })

  it('replaces an entry without double counting and skips entries larger than the budget', async () => {
    const cache = new LruEmbeddingCache({ maxBytes: 20 })
    await cache.setMany([{ key: 'a', vector: vector(1) }])
    await cache.setMany([{ key: 'a', vector: vector(2, 3) }])
    expect(cache.bytes).toBe(9)
    await cache.setMany([{ key: 'big', vector: new Float32Array(10) }])
    expect(await cache.getMany(['a', 'big'])).toEqual([vector(2, 3), undefined])
  })

  it('hands out copies so callers cannot corrupt stored rows', async () => {
    const cache = new LruEmbeddingCache({ maxBytes: 100 })
    const original = vector(1, 2)
    await cache.setMany([{ key: 'a', vector: original }])
    original[0] = 99
    const [first] = await cache.getMany(['a'])
    first![1] = 42
    expect(await cache.getMany(['a'])).toEqual([vector(1, 2)])
  })

  it('rejects a budget that is not positive', () => {
    expect(() => new LruEmbeddingCache({ maxBytes: 0 })).toThrow(RangeError)
  })
})

class FailingCache implements EmbeddingCache {
  failing = true
  calls = 0
  inner = new LruEmbeddingCache({ maxBytes: 10_000 })
  async getMany(keys: readonly string[]) {
    this.calls++
    if (this.failing) throw new Error('l2 down')
    return this.inner.getMany(keys)
  }
  async setMany(entries: readonly { key: string; vector: Float32Array }[]) {
    this.calls++
    if (this.failing) throw new Error('l2 down')
    return this.inner.setMany(entries)
  }
}

describe('TieredEmbeddingCache', () => {
  it('reads L1 first, falls back to L2 and promotes L2 hits into L1', async () => {
    const l1 = new LruEmbeddingCache({ maxBytes: 10_000 })
    const l2 = new LruEmbeddingCache({ maxBytes: 10_000 })
    await l1.setMany([{ key: 'a', vector: vector(1) }])
    await l2.setMany([{ key: 'b', vector: vector(2) }])
    const tiered = new TieredEmbeddingCache(l1, l2)
    expect(await tiered.getMany(['a', 'b', 'c'])).toEqual([vector(1), vector(2), undefined])
    expect(await l1.getMany(['b'])).toEqual([vector(2)])
    expect(tiered.status()).toBe('ok')
  })

  it('writes both tiers', async () => {
    const l1 = new LruEmbeddingCache({ maxBytes: 10_000 })
    const l2 = new LruEmbeddingCache({ maxBytes: 10_000 })
    await new TieredEmbeddingCache(l1, l2).setMany([{ key: 'a', vector: vector(7) }])
    expect(await l1.getMany(['a'])).toEqual([vector(7)])
    expect(await l2.getMany(['a'])).toEqual([vector(7)])
  })

  it('keeps serving from L1 while L2 throws, reports degraded, and recovers after the cool-down', async () => {
    let now = 0
    const l1 = new LruEmbeddingCache({ maxBytes: 10_000 })
    const l2 = new FailingCache()
    const tiered = new TieredEmbeddingCache(l1, l2, { retryAfterMs: 1_000, now: () => now })
    await tiered.setMany([{ key: 'a', vector: vector(1) }])
    expect(tiered.status()).toBe('degraded')
    expect(cacheStatus(tiered)).toBe('degraded')
    expect((tiered.lastError as Error).message).toBe('l2 down')
    expect(await tiered.getMany(['a', 'b'])).toEqual([vector(1), undefined])
    expect(l2.calls).toBe(1) // skipped during the cool-down
    now = 1_000
    l2.failing = false
    expect(await tiered.getMany(['b'])).toEqual([undefined])
    expect(l2.calls).toBe(2)
    expect(tiered.status()).toBe('ok')
    expect(tiered.lastError).toBeUndefined()
  })

  it('treats an L2 that never answers as failed', async () => {
    const hanging: EmbeddingCache = {
      getMany: () => new Promise(() => {}),
      setMany: () => new Promise(() => {}),
    }
    const tiered = new TieredEmbeddingCache(new LruEmbeddingCache({ maxBytes: 100 }), hanging, {
      timeoutMs: 20,
    })
    expect(await tiered.getMany(['a'])).toEqual([undefined])
    expect(tiered.status()).toBe('degraded')
  })

  it('reports ok for caches without a status probe', () => {
    expect(cacheStatus(new LruEmbeddingCache({ maxBytes: 1 }))).toBe('ok')
  })
})

describe('KvEmbeddingCache', () => {
  it('stores raw float32 bytes under a prefix with a TTL and reads them back', async () => {
    const kv = new MemoryKv()
    const cache = new KvEmbeddingCache(kv, { prefix: 'v1:', ttlSeconds: 3600, cacheTtlSeconds: 120 })
    const row = vector(0.5, -1.25, 3)
    await cache.setMany([{ key: 't:abc', vector: row.subarray(1) }])
    const stored = kv.values.get('v1:t:abc')!
    expect(stored.expirationTtl).toBe(3600)
    expect(new Float32Array(stored.value as ArrayBuffer)).toEqual(vector(-1.25, 3))
    expect(await cache.getMany(['t:abc', 't:missing'])).toEqual([vector(-1.25, 3), undefined])
    expect(kv.reads[0]).toEqual({ key: 'v1:t:abc', cacheTtl: 120 })
  })

  it('raises TTLs below the KV minimum and treats a corrupt value as a miss', async () => {
    const kv = new MemoryKv()
    const cache = new KvEmbeddingCache(kv, { ttlSeconds: 5 })
    await cache.setMany([{ key: 'a', vector: vector(1) }])
    expect(kv.values.get('emb:a')!.expirationTtl).toBe(60)
    await kv.put('emb:b', new Uint8Array([1, 2, 3]).buffer)
    expect(await cache.getMany(['b'])).toEqual([undefined])
  })

  it('bounds KV operations per call so a huge batch stays under the subrequest limit', async () => {
    const kv = new MemoryKv()
    const cache = new KvEmbeddingCache(kv, { maxKeysPerCall: 3 })
    const entries = ['a', 'b', 'c', 'd', 'e'].map((key) => ({ key, vector: vector(1) }))
    await cache.setMany(entries)
    expect(kv.values.size).toBe(3)
    await kv.put('emb:d', vectorToBuffer(vector(4)))
    kv.reads.length = 0
    expect(await cache.getMany(['a', 'b', 'c', 'd'])).toEqual([vector(1), vector(1), vector(1), undefined])
    expect(kv.reads).toHaveLength(3)
  })
})

function vectorToBuffer(values: Float32Array): ArrayBuffer {
  return values.buffer.slice(0) as ArrayBuffer
}
