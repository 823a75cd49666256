// Issue 7, item 2: over random mixes of cache hits, edge texts, backend texts, images and
// duplicates, every response row is the vector of the input at its index. Every source (cache,
// edge tower, backend) derives its vectors from the input itself, so a row served for the wrong
// input cannot pass; the last component tags which source served it.
import {
  type BackendItem,
  type BackendResult,
  decodeEmbedding,
  fixtureModelSpec,
  type TowerIdentity,
} from '@edgeclip/core'
import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { resolveGatewayConfig } from '../../src/config'
import { StageTimings } from '../../src/middleware/timing'
import { embedRequest } from '../../src/pipeline'
import { cacheKeyOf } from '../../src/pipeline/cache-keys'
import {
  BACKEND_TAG,
  characterTokenizer,
  EDGE_TAG,
  FAKE_BACKEND_IDENTITY,
  FAKE_EDGE_IDENTITY,
  fakeDeps,
  fakeVector,
  IMAGE_TAG,
  RecordingCache,
  recordingTower,
} from '../../src/pipeline/fake-deps.test-support'
import { solidPng } from '../node/support/png'

const dimensions = fixtureModelSpec.dimensions
const CACHE_TAG = 9

/** A vector of every byte: two different images never share one. */
function imageVector(bytes: Uint8Array, tag: number): Float32Array {
  return fakeVector(
    [...bytes].map((byte, position) => 1 + byte + 256 * (position % 13)),
    tag,
  )
}

class DerivingBackend {
  readonly name = 'deriving'
  calls = 0
  async embedBatch(_model: string, items: readonly BackendItem[]): Promise<BackendResult> {
    this.calls++
    // Answer out of order internally, then restore: a backend may batch by length.
    const order = items.map((_, index) => index).reverse()
    const rows = new Map(
      order.map((index) => {
        const item = items[index]!
        const vector =
          item.kind === 'text' ? fakeVector(item.ids, BACKEND_TAG) : imageVector(item.bytes, IMAGE_TAG)
        return [index, vector] as const
      }),
    )
    return {
      identity: FAKE_BACKEND_IDENTITY,
      items: items.map((_, index) => ({ ok: true as const, vector: rows.get(index)! })),
    }
  }
  async identity() {
    return FAKE_BACKEND_IDENTITY
  }
  async ready() {
    return true
  }
}

// Texts of 1 to 12 letters against an edge threshold of 8 tokens (2 of them [CLS]/[SEP]).
const textArbitrary = fc.stringMatching(/^[a-f]{1,12}$/)
const imageArbitrary = fc.integer({ min: 0, max: 40 }).map((seed) => ({ seed }))
const poolArbitrary = fc.array(fc.oneof(textArbitrary, imageArbitrary), { minLength: 1, maxLength: 12 })

type PoolItem = string | { seed: number }
const imageBytes = (seed: number) => solidPng(1 + (seed % 3), 1, [seed, 255 - seed, 7])
const toInput = (item: PoolItem) =>
  typeof item === 'string' ? item : { image: Buffer.from(imageBytes(item.seed)).toString('base64') }

function expectedVector(item: PoolItem, tag: number): Float32Array {
  if (typeof item !== 'string') return imageVector(imageBytes(item.seed), tag)
  return fakeVector(characterTokenizer.encode(item).ids, tag)
}

type EdgeMode = 'ok' | 'none' | 'failing'
const EDGE_MAX_TOKENS = 8

/** The key an item is stored under by the tower `computedBy` names (edge or backend). */
async function keyOf(item: PoolItem, computedBy: 'edge' | 'backend'): Promise<string> {
  if (typeof item !== 'string') {
    return cacheKeyOf(
      fixtureModelSpec,
      { kind: 'image', bytes: imageBytes(item.seed) },
      FAKE_BACKEND_IDENTITY.image!,
    )
  }
  const tower: TowerIdentity = computedBy === 'edge' ? FAKE_EDGE_IDENTITY : FAKE_BACKEND_IDENTITY.text!
  return cacheKeyOf(fixtureModelSpec, { kind: 'text', ids: characterTokenizer.encode(item).ids }, tower)
}

/** Which tower the gateway routes an item to, and so the key it looks it up under. */
const routedTo = (item: PoolItem, edge: EdgeMode): 'edge' | 'backend' =>
  typeof item === 'string' && edge !== 'none' && characterTokenizer.encode(item).ids.length <= EDGE_MAX_TOKENS
    ? 'edge'
    : 'backend'

describe('row identity (property)', () => {
  it('every row is the vector of its own input, whatever mix served it', async () => {
    // The failing-tower runs warn once each; the fallback itself is what is checked.
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    await fc.assert(
      fc.asyncProperty(
        poolArbitrary,
        fc.array(fc.nat(), { minLength: 1, maxLength: 24 }),
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        fc.constantFrom<EdgeMode>('ok', 'none', 'failing'),
        fc.integer({ min: 1, max: 5 }),
        async (pool, picks, cachedFlags, edge, edgeBatchSize) => {
          const inputs = picks.map((pick) => pool[pick % pool.length]!)
          const cache = new RecordingCache()
          for (const [index, item] of pool.entries()) {
            if (cachedFlags[index]) {
              cache.store.set(await keyOf(item, routedTo(item, edge)), expectedVector(item, CACHE_TAG))
            }
          }
          const tower = recordingTower()
          const failingTower = {
            ...tower,
            embed: async () => {
              throw new Error('tower crashed')
            },
          }
          const backend = new DerivingBackend()
          const deps = fakeDeps({
            cache,
            backend,
            edgeTower: edge === 'none' ? undefined : async () => (edge === 'ok' ? tower : failingTower),
          })
          const config = resolveGatewayConfig({ edgeMaxTokens: EDGE_MAX_TOKENS, edgeBatchSize })
          const outcome = await embedRequest(
            { input: inputs.map(toInput), normalized: false, encoding_format: 'base64' },
            { deps, config, timings: new StageTimings() },
          )
          expect(outcome.body.data).toHaveLength(inputs.length)
          outcome.body.data.forEach((row, index) => {
            expect(row.index).toBe(index)
            const vector = decodeEmbedding(row.embedding as string, 'base64', dimensions)
            const item = inputs[index]!
            const tag = vector[dimensions - 1]!
            expect([EDGE_TAG, BACKEND_TAG, IMAGE_TAG, CACHE_TAG]).toContain(tag)
            expect(vector).toEqual(expectedVector(item, tag))
          })
          expect(backend.calls).toBeLessThanOrEqual(2)
          // Only fresh rows go back to the cache, each under its own key: the key of the tower that
          // computed it (a failing edge's texts under the backend's).
          await Promise.all(deps.pending)
          for (const item of inputs) {
            const lookedUp = routedTo(item, edge)
            const computedBy = lookedUp === 'edge' && edge === 'failing' ? 'backend' : lookedUp
            const stored =
              cache.store.get(await keyOf(item, lookedUp)) ?? cache.store.get(await keyOf(item, computedBy))
            expect(stored).toBeDefined()
            expect(stored!.subarray(0, dimensions - 1)).toEqual(
              expectedVector(item, 0).subarray(0, dimensions - 1),
            )
          }
        },
      ),
      { numRuns: 150 },
    )
  })
})
