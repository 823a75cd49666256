// Small in-memory stand-ins for the pipeline's ports. The pipeline is what the tests exercise;
// these only record what it asked of them.
import {
  type ApiKeyRecord,
  type BackendIdentity,
  type BackendItem,
  type BackendResult,
  EdgeclipError,
  fixtureModelSpec,
  type TextTower,
  type TowerIdentity,
} from '@edgeclip/core'
import type { GatewayDeps, TextTokenizer } from '../ports'

/** One id per character (a=1 ...), lower-cased: enough to make distinct texts distinct. */
export const characterTokenizer: TextTokenizer = {
  encode(text, options = {}) {
    const pieces = [...text.toLowerCase()]
      .filter((character) => character.trim())
      .map((c) => 1000 + c.charCodeAt(0))
    const tokenCount = pieces.length + 2
    const maxLength = options.maxLength ?? Number.POSITIVE_INFINITY
    if (tokenCount > maxLength && !options.truncate) {
      throw new EdgeclipError(`${tokenCount} tokens, limit ${maxLength}`, {
        status: 400,
        code: 'context_length_exceeded',
        param: 'input',
      })
    }
    const kept = tokenCount > maxLength ? pieces.slice(0, maxLength - 2) : pieces
    return { ids: [101, ...kept, 102], tokenCount, truncated: kept.length < pieces.length }
  },
}

/** A deterministic vector per token sequence, tagged so tests can tell which path made it. */
export function fakeVector(
  ids: readonly number[],
  tag: number,
  dimensions = fixtureModelSpec.dimensions,
): Float32Array {
  const vector = new Float32Array(dimensions)
  ids.forEach((id, position) => {
    vector[(id * 7 + position) % dimensions]! += id
  })
  vector[dimensions - 1] = tag
  return vector
}

/** Who the fakes say they are: cache keys name these. */
export const FAKE_EDGE_IDENTITY: TowerIdentity = { weights: 'e'.repeat(64), numerics: 'int8/fake-edge' }
export const FAKE_BACKEND_IDENTITY: BackendIdentity = {
  text: { weights: 'b'.repeat(64), numerics: 'fp32/fake-backend' },
  image: { weights: 'c'.repeat(64), numerics: 'fp32/fake-backend' },
}

export const EDGE_TAG = 1
export const BACKEND_TAG = 2
export const IMAGE_TAG = 3

export class RecordingCache {
  readonly store = new Map<string, Float32Array>()
  readonly lookups: string[][] = []
  failing = false

  async getMany(keys: readonly string[]) {
    if (this.failing) throw new Error('cache down')
    this.lookups.push([...keys])
    return keys.map((key) => this.store.get(key))
  }

  async setMany(entries: readonly { key: string; vector: Float32Array }[]) {
    if (this.failing) throw new Error('cache down')
    for (const { key, vector } of entries) this.store.set(key, vector)
  }
}

export class RecordingBackend {
  readonly name = 'recording'
  readonly calls: BackendItem[][] = []
  failAt = new Map<number, { status: number; code: string; message: string }>()
  hang = false
  /** What its answers and `identity()` say; a test swaps it to act out a redeploy. */
  identityNow: BackendIdentity | undefined = FAKE_BACKEND_IDENTITY
  identityAsked = 0

  async identity() {
    this.identityAsked++
    return this.identityNow
  }

  async embedBatch(_model: string, items: readonly BackendItem[], options?: { signal?: AbortSignal }) {
    this.calls.push([...items])
    if (this.hang) {
      await new Promise((_, reject) =>
        options?.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
      )
    }
    const result: BackendResult = {
      ...(this.identityNow ? { identity: this.identityNow } : {}),
      items: items.map((item, index) => {
        const failure = this.failAt.get(index)
        if (failure) return { ok: false, ...failure }
        return {
          ok: true,
          vector:
            item.kind === 'text'
              ? fakeVector(item.ids, BACKEND_TAG)
              : fakeVector([item.bytes.length], IMAGE_TAG),
        }
      }),
    }
    return result
  }

  async ready() {
    return true
  }
}

export function recordingTower(): TextTower & { batches: (readonly number[])[][] } {
  const batches: (readonly number[])[][] = []
  return {
    batches,
    modality: 'text',
    dimensions: fixtureModelSpec.dimensions,
    maxBatchSize: 4,
    async embed(batch) {
      batches.push([...batch])
      return batch.map((ids) => fakeVector(ids, EDGE_TAG))
    },
    async release() {},
  }
}

export interface FakeDeps extends GatewayDeps {
  cache: RecordingCache
  pending: Promise<unknown>[]
}

export function fakeDeps(overrides: Partial<GatewayDeps> = {}): FakeDeps {
  const pending: Promise<unknown>[] = []
  const tower = recordingTower()
  return {
    spec: fixtureModelSpec,
    tokenizer: characterTokenizer,
    keyStore: undefined,
    rateLimiter: { check: async () => ({ allowed: true }) },
    cache: new RecordingCache(),
    edgeTower: async () => tower,
    edgeIdentity: FAKE_EDGE_IDENTITY,
    backend: new RecordingBackend(),
    imageFetcher: {
      fetch: async () => {
        throw new EdgeclipError('no network in unit tests', { status: 422, code: 'image_fetch_failed' })
      },
    },
    waitUntil: (promise) => {
      pending.push(promise)
    },
    pending,
    ...overrides,
  } as FakeDeps
}

export const keyRecord = (overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
  id: 'abcdef123456',
  name: 'test',
  hash: '',
  createdAt: new Date(0).toISOString(),
  revoked: false,
  ...overrides,
})
