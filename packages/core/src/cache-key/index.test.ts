import { describe, expect, it } from 'vitest'
import {
  fixtureModelSpec,
  imageCacheKey,
  jinaClipV1,
  type KeyContext,
  parseBackendIdentity,
  type TowerIdentity,
  textCacheKey,
} from '../index'

const hex = (digit: string) => digit.repeat(64)
const fp32: TowerIdentity = { weights: hex('a'), numerics: 'fp32/onnxruntime-node-cpu' }
const real: KeyContext = { spec: jinaClipV1, tower: fp32 }

describe('cache keys', () => {
  it('are deterministic sha256 keys per modality', async () => {
    const key = await textCacheKey(real, [101, 7592, 102])
    expect(key).toMatch(/^t:[0-9a-f]{64}$/)
    expect(await textCacheKey(real, [101, 7592, 102])).toBe(key)
    expect(await imageCacheKey(real, new Uint8Array([1, 2, 3]))).toMatch(/^i:[0-9a-f]{64}$/)
  })

  it('differ by ids, order, model revision and modality', async () => {
    const keys = new Set([
      await textCacheKey(real, [101, 7592, 102]),
      await textCacheKey(real, [101, 102, 7592]),
      await textCacheKey(real, [101, 7592, 2088, 102]),
      await textCacheKey({ spec: fixtureModelSpec, tower: fp32 }, [101, 7592, 102]),
      await imageCacheKey(real, new Uint8Array([101, 0, 0, 0])),
      await textCacheKey(real, [101]),
    ])
    expect(keys.size).toBe(6)
  })

  it('name the weights that computed the vector: a fixture folder never shares the real model’s keys', async () => {
    // A fixture folder served under jina-clip-v1's id and revision still loads other bytes.
    const fixtureWeights: KeyContext = { spec: jinaClipV1, tower: { ...fp32, weights: hex('b') } }
    const ids = [101, 7592, 102]
    expect(await textCacheKey(fixtureWeights, ids)).not.toBe(await textCacheKey(real, ids))
    const bytes = new Uint8Array([1, 2, 3])
    expect(await imageCacheKey(fixtureWeights, bytes)).not.toBe(await imageCacheKey(real, bytes))
  })

  it('name the numerics: fp32, fp16, the edge build and the backend never share entries', async () => {
    const ids = [101, 7592, 102]
    const contexts: TowerIdentity[] = [
      fp32,
      { weights: hex('c'), numerics: 'fp16/onnxruntime-node-cuda' },
      { weights: fp32.weights, numerics: 'fp32/onnxruntime-node-cuda' },
      { weights: hex('d'), numerics: 'int8/edge-split' },
    ]
    const keys = await Promise.all(contexts.map((tower) => textCacheKey({ spec: jinaClipV1, tower }, ids)))
    expect(new Set(keys).size).toBe(contexts.length)
  })

  it('name the preprocessing version for images only', async () => {
    const bumped: KeyContext = {
      spec: { ...jinaClipV1, image: { ...jinaClipV1.image, preprocessingVersion: 2 } },
      tower: fp32,
    }
    const bytes = new Uint8Array([1, 2, 3])
    expect(await imageCacheKey(bumped, bytes)).not.toBe(await imageCacheKey(real, bytes))
    // A text vector does not go through the image pipeline: its entries survive a bump.
    expect(await textCacheKey(bumped, [101, 102])).toBe(await textCacheKey(real, [101, 102]))
  })
})

describe('backend identity', () => {
  it('accepts well-formed towers and drops malformed ones', () => {
    expect(parseBackendIdentity({ text: fp32, image: { weights: 'short', numerics: 'fp32' } })).toEqual({
      text: fp32,
    })
    expect(parseBackendIdentity({ text: { weights: hex('a'), numerics: 'has space' } })).toBeUndefined()
    expect(parseBackendIdentity('fp32')).toBeUndefined()
  })
})
