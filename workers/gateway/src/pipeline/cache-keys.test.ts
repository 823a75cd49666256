// Cache keys name the tower that computed each vector: an entry made by one tower (edge or backend,
// fixture or real weights, fp32 or fp16, one preprocessing version) is never served for another.
import { fixtureModelSpec, type TowerIdentity } from '@edgeclip/core'
import { describe, expect, it } from 'vitest'
import { resolveGatewayConfig } from '../config'
import { StageTimings } from '../middleware/timing'
import type { EmbeddingsRequest } from '../schemas'
import { embedRequest } from '.'
import { cacheKeyOf } from './cache-keys'
import {
  BACKEND_TAG,
  characterTokenizer,
  EDGE_TAG,
  FAKE_BACKEND_IDENTITY,
  FAKE_EDGE_IDENTITY,
  type FakeDeps,
  fakeDeps,
  RecordingBackend,
  RecordingCache,
  recordingTower,
} from './fake-deps.test-support'

const config = resolveGatewayConfig({ edgeMaxTokens: 8 })
const last = fixtureModelSpec.dimensions - 1
const PNG_1X1 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='

async function run(request: EmbeddingsRequest, deps: FakeDeps) {
  const outcome = await embedRequest(
    { ...request, normalized: false },
    { deps, config, timings: new StageTimings() },
  )
  await Promise.all(deps.pending)
  return outcome
}

const tags = (outcome: Awaited<ReturnType<typeof run>>) =>
  outcome.body.data.map((item) => (item.embedding as number[])[last])
const textKey = (text: string, tower: TowerIdentity) =>
  cacheKeyOf(fixtureModelSpec, { kind: 'text', ids: characterTokenizer.encode(text).ids }, tower)
const fp16Backend = {
  text: { weights: 'd'.repeat(64), numerics: 'fp16/onnxruntime-node-cuda' },
  image: FAKE_BACKEND_IDENTITY.image!,
}

describe('cache keys name the tower that computed the vector', () => {
  it('edge and backend never share entries: a text the edge stored is a miss once it routes to the backend', async () => {
    const cache = new RecordingCache()
    const edge = await run({ input: 'short' }, fakeDeps({ cache }))
    expect(edge.route).toBe('edge')
    expect([...cache.store.keys()]).toEqual([await textKey('short', FAKE_EDGE_IDENTITY)])
    // Same cache, a host without an edge tower: the backend computes it instead of serving the edge's row.
    const backend = await run(
      { input: 'short' },
      fakeDeps({ cache, edgeTower: undefined, edgeIdentity: undefined }),
    )
    expect([backend.route, backend.cache]).toEqual(['backend', 'miss'])
    expect(tags(backend)).toEqual([BACKEND_TAG])
    expect(cache.store.has(await textKey('short', FAKE_BACKEND_IDENTITY.text!))).toBe(true)
  })

  it('stores a text the edge could not serve under the backend’s key, never the edge’s', async () => {
    const cache = new RecordingCache()
    const broken = async () => {
      throw new Error('part answered 409')
    }
    const fellBack = await run({ input: 'ab' }, fakeDeps({ cache, edgeTower: broken }))
    expect([fellBack.route, ...tags(fellBack)]).toEqual(['backend', BACKEND_TAG])
    expect([...cache.store.keys()]).toEqual([await textKey('ab', FAKE_BACKEND_IDENTITY.text!)])
    // The edge, working again, does not serve the backend's row as its own.
    const tower = recordingTower()
    const edge = await run({ input: 'ab' }, fakeDeps({ cache, edgeTower: async () => tower }))
    expect([edge.route, edge.cache, ...tags(edge)]).toEqual(['edge', 'miss', EDGE_TAG])
  })

  it('fixture weights and real weights under one model id and revision miss each other’s entries', async () => {
    const cache = new RecordingCache()
    await run({ input: 'abc' }, fakeDeps({ cache }))
    const otherWeights: TowerIdentity = { ...FAKE_EDGE_IDENTITY, weights: 'f'.repeat(64) }
    const again = await run({ input: 'abc' }, fakeDeps({ cache, edgeIdentity: otherWeights }))
    expect([again.route, again.cache]).toEqual(['edge', 'miss'])
    expect(cache.store.size).toBe(2)
  })

  it('an fp32 and an fp16 backend miss each other’s entries; each answer is stored under its own identity', async () => {
    const cache = new RecordingCache()
    const backend = new RecordingBackend()
    const deps = () => fakeDeps({ cache, backend, edgeTower: undefined, edgeIdentity: undefined })
    await run({ input: 'long text' }, deps())
    expect((await run({ input: 'long text' }, deps())).cache).toBe('hit')
    backend.identityNow = fp16Backend
    const redeployed = await run({ input: 'long text' }, deps())
    expect([redeployed.route, redeployed.cache]).toEqual(['backend', 'miss'])
    expect(cache.store.has(await textKey('long text', fp16Backend.text))).toBe(true)
    expect(cache.store.size).toBe(2)
  })

  it('stores under the identity the answer carries when the backend changed after it was asked', async () => {
    const cache = new RecordingCache()
    const backend = new RecordingBackend()
    const embedBatch = backend.embedBatch.bind(backend)
    // Asked: fp32. Answered by a redeployed fp16 backend.
    backend.embedBatch = async (...args) => {
      backend.identityNow = fp16Backend
      return embedBatch(...args)
    }
    await run({ input: 'long text' }, fakeDeps({ cache, backend, edgeTower: undefined }))
    expect([...cache.store.keys()]).toEqual([await textKey('long text', fp16Backend.text)])
  })

  it('looks nothing up and stores nothing for a backend that does not say what it runs', async () => {
    const cache = new RecordingCache()
    const backend = new RecordingBackend()
    backend.identityNow = undefined
    const deps = () => fakeDeps({ cache, backend, edgeTower: undefined })
    const first = await run({ input: ['long text', 'long text'] }, deps())
    expect(tags(first)).toEqual([BACKEND_TAG, BACKEND_TAG])
    expect(backend.calls[0]).toHaveLength(1)
    await run({ input: 'long text' }, deps())
    expect([cache.lookups.flat(), cache.store.size]).toEqual([[], 0])
  })

  it('asks the backend who it is only for requests that route an item to it', async () => {
    const backend = new RecordingBackend()
    await run({ input: 'short' }, fakeDeps({ backend }))
    expect(backend.identityAsked).toBe(0)
    await run({ input: 'a text over eight tokens' }, fakeDeps({ backend }))
    expect(backend.identityAsked).toBe(1)
  })

  it('an image entry is a miss once the preprocessing version is bumped', async () => {
    const cache = new RecordingCache()
    const image = { image: `data:image/png;base64,${PNG_1X1}` }
    await run({ input: [image] }, fakeDeps({ cache }))
    expect((await run({ input: [image] }, fakeDeps({ cache }))).cache).toBe('hit')
    const bumped = {
      ...fixtureModelSpec,
      image: {
        ...fixtureModelSpec.image,
        preprocessingVersion: fixtureModelSpec.image.preprocessingVersion + 1,
      },
    }
    const after = await run({ input: [image] }, fakeDeps({ cache, spec: bumped }))
    expect([after.route, after.cache]).toEqual(['backend', 'miss'])
  })
})
