// Runs against a real redis-server started on a free port; skips when the binary is absent
// (fails under CI=true).
import { freePort, type RunningRedis, redisTestsEnabled, startRedisServer } from '@edgeclip/testkit'
import { createClient } from 'redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LruEmbeddingCache, TieredEmbeddingCache } from '.'
import { RedisEmbeddingCache } from './node'

describe.skipIf(!redisTestsEnabled('Redis cache tests'))('RedisEmbeddingCache', () => {
  let port: number
  let server: RunningRedis
  beforeAll(async () => {
    server = await startRedisServer()
    port = server.port
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('stores raw float32 bytes under the prefix with a TTL', async () => {
    const cache = new RedisEmbeddingCache(`redis://127.0.0.1:${port}`, { prefix: 'test:', ttlSeconds: 600 })
    const row = Float32Array.from({ length: 768 }, (_, index) => index / 7)
    await cache.setMany([{ key: 't:x', vector: row }])
    expect(await cache.getMany(['t:x', 't:y'])).toEqual([row, undefined])
    const raw = createClient({ url: `redis://127.0.0.1:${port}` })
    await raw.connect()
    const ttl = await raw.ttl('test:t:x')
    expect(ttl).toBeGreaterThan(590)
    expect(ttl).toBeLessThanOrEqual(600)
    await raw.close()
    await cache.close()
  })

  it('fails fast while Redis is down, so a tiered cache degrades to L1 and recovers', async () => {
    const url = `redis://127.0.0.1:${port}`
    const l2 = new RedisEmbeddingCache(url)
    const tiered = new TieredEmbeddingCache(new LruEmbeddingCache({ maxBytes: 100_000 }), l2, {
      retryAfterMs: 0,
    })
    await tiered.setMany([{ key: 'a', vector: Float32Array.of(1, 2) }])
    expect(tiered.status()).toBe('ok')
    await server.stop()
    await tiered.setMany([{ key: 'b', vector: Float32Array.of(3) }])
    expect(tiered.status()).toBe('degraded')
    expect(await tiered.getMany(['a', 'b', 'c'])).toEqual([
      Float32Array.of(1, 2),
      Float32Array.of(3),
      undefined,
    ])
    await server.restart()
    await expect
      .poll(async () => {
        await tiered.getMany(['c'])
        return tiered.status()
      })
      .toBe('ok')
    // Data written before the outage is gone with the restarted in-memory server; new writes land.
    await tiered.setMany([{ key: 'd', vector: Float32Array.of(4) }])
    expect(await l2.getMany(['d'])).toEqual([Float32Array.of(4)])
    await l2.close()
  })

  it('rejects instead of hanging when Redis is down from the start, and works once it is up', async () => {
    const downPort = await freePort()
    const cache = new RedisEmbeddingCache(`redis://127.0.0.1:${downPort}`, { connectTimeoutMs: 200 })
    await expect(cache.getMany(['a'])).rejects.toThrow()
    const late = await startRedisServer({ port: downPort })
    try {
      await expect
        .poll(() =>
          cache.setMany([{ key: 'a', vector: Float32Array.of(5) }]).then(
            () => 'ok',
            () => 'down',
          ),
        )
        .toBe('ok')
      expect(await cache.getMany(['a'])).toEqual([Float32Array.of(5)])
    } finally {
      await cache.close()
      await late.stop()
    }
  })
})
