import { describe, expect, it } from 'vitest'
import { fixtureModelSpec, imageCacheKey, jinaClipV1, textCacheKey } from '../index'

describe('cache keys', () => {
  it('are deterministic sha256 keys per modality', async () => {
    const key = await textCacheKey(jinaClipV1, [101, 7592, 102])
    expect(key).toMatch(/^t:[0-9a-f]{64}$/)
    expect(await textCacheKey(jinaClipV1, [101, 7592, 102])).toBe(key)
    expect(await imageCacheKey(jinaClipV1, new Uint8Array([1, 2, 3]))).toMatch(/^i:[0-9a-f]{64}$/)
  })

  it('differ by ids, order, model revision and modality', async () => {
    const keys = new Set([
      await textCacheKey(jinaClipV1, [101, 7592, 102]),
      await textCacheKey(jinaClipV1, [101, 102, 7592]),
      await textCacheKey(jinaClipV1, [101, 7592, 2088, 102]),
      await textCacheKey(fixtureModelSpec, [101, 7592, 102]),
      await imageCacheKey(jinaClipV1, new Uint8Array([101, 0, 0, 0])),
      await textCacheKey(jinaClipV1, [101]),
    ])
    expect(keys.size).toBe(6)
  })
})
