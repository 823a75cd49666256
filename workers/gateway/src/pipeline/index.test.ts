import { decodeEmbedding, EdgeclipError, fixtureModelSpec, textCacheKey } from '@edgeclip/core'
import { describe, expect, it } from 'vitest'
import { resolveGatewayConfig } from '../config'
import { StageTimings } from '../middleware/timing'
import type { EmbeddingsRequest } from '../schemas'
import { embedRequest, l2Normalize } from '.'
import {
  BACKEND_TAG,
  characterTokenizer,
  EDGE_TAG,
  FAKE_EDGE_IDENTITY,
  type FakeDeps,
  fakeDeps,
  IMAGE_TAG,
  RecordingBackend,
  recordingTower,
} from './fake-deps.test-support'

const PNG_1X1 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='
const config = resolveGatewayConfig({ edgeMaxTokens: 8 })
const last = fixtureModelSpec.dimensions - 1

function run(request: EmbeddingsRequest, deps: FakeDeps, overrides = {}) {
  return embedRequest(request, { deps, config: { ...config, ...overrides }, timings: new StageTimings() })
}

const raw = (request: EmbeddingsRequest) => ({ ...request, normalized: false })
const tagOf = (embedding: number[] | string) => (embedding as number[])[last]

async function rejection(promise: Promise<unknown>): Promise<EdgeclipError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(EdgeclipError)
  return error as EdgeclipError
}

describe('embedRequest', () => {
  it('answers one embedding per input, in input order, across cache, edge and backend', async () => {
    const deps = fakeDeps()
    await run({ input: 'cached' }, deps)
    await Promise.all(deps.pending)
    const outcome = await run(
      raw({ input: ['short', 'cached', 'a much longer text here', { image: PNG_1X1 }] }),
      deps,
    )
    expect(outcome.body.data.map((item) => item.index)).toEqual([0, 1, 2, 3])
    expect(outcome.body.data.map((item) => tagOf(item.embedding))).toEqual([
      EDGE_TAG,
      EDGE_TAG,
      BACKEND_TAG,
      IMAGE_TAG,
    ])
    expect(outcome.route).toBe('mixed')
    expect(outcome.cache).toBe('partial')
    const backend = deps.backend as RecordingBackend
    expect(backend.calls).toHaveLength(1)
    expect(backend.calls[0]!.map((item) => item.kind)).toEqual(['text', 'image'])
  })

  it('routes texts by token count: at most edgeMaxTokens to the edge tower, longer ones to the backend', async () => {
    const tower = recordingTower()
    const deps = fakeDeps({ edgeTower: async () => tower })
    const outcome = await run(raw({ input: ['abcdef', 'abcdefg'] }), deps)
    expect(outcome.body.data.map((item) => tagOf(item.embedding))).toEqual([EDGE_TAG, BACKEND_TAG])
    expect(tower.batches.flat()).toEqual([[101, ...[...'abcdef'].map((c) => 1000 + c.charCodeAt(0)), 102]])
  })

  it('sends everything to the backend when the host has no edge tower', async () => {
    const deps = fakeDeps({ edgeTower: undefined })
    const outcome = await run({ input: ['a', 'b'] }, deps)
    expect(outcome.route).toBe('backend')
    expect((deps.backend as RecordingBackend).calls[0]).toHaveLength(2)
  })

  it('calls the edge tower in batches no larger than edgeBatchSize', async () => {
    const tower = recordingTower()
    const deps = fakeDeps({ edgeTower: async () => tower })
    await run({ input: ['a', 'b', 'c', 'd', 'e'] }, deps, { edgeBatchSize: 2 })
    expect(tower.batches.map((batch) => batch.length)).toEqual([2, 2, 1])
  })

  it('sends edge texts to the backend when the edge tower fails, and answers 503 when there is none', async () => {
    const broken = async () => {
      throw new Error('wasm heap exhausted')
    }
    const withBackend = await run(raw({ input: ['ab'] }), fakeDeps({ edgeTower: broken }))
    expect(withBackend.route).toBe('backend')
    expect(tagOf(withBackend.body.data[0]!.embedding)).toBe(BACKEND_TAG)
    const error = await rejection(run({ input: ['ab'] }, fakeDeps({ edgeTower: broken, backend: undefined })))
    expect([error.status, error.code]).toEqual([503, 'edge_unavailable'])
  })

  it('gives the edge path its own deadline: a tower that never answers sends its texts to the backend', async () => {
    const stuck = recordingTower()
    let aborted = false
    stuck.embed = (_batch, options) =>
      new Promise((_, reject) => {
        options?.signal?.addEventListener('abort', () => {
          aborted = true
          reject(options.signal?.reason)
        })
      })
    const towerOf = async () => stuck
    const served = await run(raw({ input: ['ab'] }), fakeDeps({ edgeTower: towerOf }), { edgeTimeoutMs: 20 })
    expect([served.route, tagOf(served.body.data[0]!.embedding)]).toEqual(['backend', BACKEND_TAG])
    expect(aborted).toBe(true)
    const error = await rejection(
      run({ input: ['ab'] }, fakeDeps({ edgeTower: towerOf, backend: undefined }), { edgeTimeoutMs: 20 }),
    )
    expect([error.status, error.code]).toEqual([504, 'edge_timeout'])
  })

  it("answers a down tower's own outage (503, code, Retry-After) when there is no backend", async () => {
    const outage = new EdgeclipError('part-2.onnx.data is missing', {
      status: 503,
      code: 'model_unavailable',
      retryAfter: 7,
    })
    const down = async () => {
      throw new Error('edge part 2 answered 503', { cause: outage })
    }
    const withBackend = await run(raw({ input: ['ab'] }), fakeDeps({ edgeTower: down }))
    expect(withBackend.route).toBe('backend')
    const error = await rejection(run({ input: ['ab'] }, fakeDeps({ edgeTower: down, backend: undefined })))
    expect(error).toBe(outage)
  })

  it('computes duplicates once, including texts that only tokenize alike', async () => {
    const tower = recordingTower()
    const deps = fakeDeps({ edgeTower: async () => tower })
    const outcome = await run({ input: ['Hello', 'hello', 'h e l l o', 'other'] }, deps)
    expect(tower.batches.flat()).toHaveLength(2)
    expect(deps.cache.lookups[0]).toHaveLength(2)
    const [first, second, third] = outcome.body.data.map((item) => item.embedding)
    expect(second).toEqual(first)
    expect(third).toEqual(first)
  })

  it('serves a repeated request from the cache and writes back only fresh rows', async () => {
    const deps = fakeDeps()
    const first = await run({ input: ['one', 'two'] }, deps)
    await Promise.all(deps.pending)
    expect(deps.cache.store.size).toBe(2)
    const key = await textCacheKey(
      { spec: fixtureModelSpec, tower: FAKE_EDGE_IDENTITY },
      characterTokenizer.encode('one').ids,
    )
    expect(deps.cache.store.get(key)?.[last]).toBe(EDGE_TAG)
    const second = await run({ input: ['one', 'two'] }, deps)
    expect(second.route).toBe('cache')
    expect(second.cache).toBe('hit')
    expect(second.body.data).toEqual(first.body.data)
  })

  it('serves without the cache, and says so, when the cache throws', async () => {
    const deps = fakeDeps()
    deps.cache.failing = true
    const outcome = await run({ input: 'text' }, deps)
    expect(outcome.cache).toBe('unavailable')
    expect(outcome.body.data).toHaveLength(1)
    await Promise.all(deps.pending)
  })

  it('fails the whole request with the first failing item, naming its index, and caches nothing', async () => {
    const backend = new RecordingBackend()
    backend.failAt.set(1, { status: 422, code: 'invalid_image', message: 'cannot decode' })
    backend.failAt.set(0, { status: 422, code: 'invalid_image', message: 'first one' })
    const deps = fakeDeps({ backend, edgeTower: undefined })
    const error = await rejection(run({ input: ['ok', 'long text one', 'long text two'] }, deps))
    expect(error.status).toBe(422)
    expect(error.param).toBe('input[0]')
    expect(error.message).toContain('input[0]')
    await Promise.all(deps.pending)
    expect(deps.cache.store.size).toBe(0)
  })

  it('answers 503 when the backend is needed but not configured', async () => {
    const error = await rejection(run({ input: ['ab', 'a longer text'] }, fakeDeps({ backend: undefined })))
    expect([error.status, error.code, error.param]).toEqual([503, 'backend_unavailable', 'input[1]'])
    expect(error.retryAfter).toBeGreaterThan(0)
  })

  it('answers 504 when the backend hangs past the timeout', async () => {
    const backend = new RecordingBackend()
    backend.hang = true
    const error = await rejection(
      run({ input: 'a long long text' }, fakeDeps({ backend }), { backendTimeoutMs: 50 }),
    )
    expect([error.status, error.code]).toEqual([504, 'backend_timeout'])
  })

  it('normalizes by default and encodes every type the API offers', async () => {
    const deps = fakeDeps()
    const rawRow = Float32Array.from(
      (await run(raw({ input: 'x' }), deps)).body.data[0]!.embedding as number[],
    )
    const expected = l2Normalize(rawRow)
    const float = (await run({ input: 'x' }, deps)).body.data[0]!.embedding as number[]
    expect(Math.hypot(...float)).toBeCloseTo(1, 5)
    for (const type of ['base64', 'binary', 'ubinary'] as const) {
      const embedding = (await run({ input: 'x', embedding_type: type }, deps)).body.data[0]!.embedding
      const decoded = decodeEmbedding(embedding, type, fixtureModelSpec.dimensions)
      if (type === 'base64') expect(decoded).toEqual(expected)
      else expect(decoded).toEqual(expected.map((value) => (value > 0 ? 1 : -1)))
    }
  })

  it('counts text tokens after truncation in usage', async () => {
    const outcome = await run({ input: ['abc', 'abcdefgh'], truncate: true }, fakeDeps(), {})
    expect(outcome.body.usage).toEqual({ prompt_tokens: 5 + 10, total_tokens: 15 })
    const truncated = await embedRequest(
      { input: 'abcdefgh', truncate: true },
      {
        deps: fakeDeps({ spec: { ...fixtureModelSpec, maxTokens: 4 } }),
        config,
        timings: new StageTimings(),
      },
    )
    expect(truncated.body.usage.prompt_tokens).toBe(4)
  })

  it('rejects bad requests with the status and param the API documents', async () => {
    const deps = fakeDeps({ spec: { ...fixtureModelSpec, maxTokens: 4 } })
    const cases: [EmbeddingsRequest, number, string, string | null][] = [
      [{ input: [] }, 400, 'empty_input', 'input'],
      [{ input: ['ok', 'too long'] }, 400, 'context_length_exceeded', 'input[1]'],
      [{ input: 'abc', model: 'text-embedding-3-small' }, 404, 'model_not_found', 'model'],
      [{ input: 'abc', dimensions: 256 }, 400, 'unsupported_dimensions', 'dimensions'],
      [
        { input: 'abc', embedding_type: 'float', encoding_format: 'base64' },
        400,
        'invalid_request',
        'encoding_format',
      ],
      [{ input: ['a', { image: 'not base64!' }] }, 400, 'invalid_image', 'input[1]'],
      [{ input: [{ image: 'file:///etc/passwd' }] }, 400, 'invalid_image_url', 'input[0]'],
      [{ input: [{ image: btoa('plain text, not an image') }] }, 422, 'unsupported_image', 'input[0]'],
      [{ input: [{ image: `data:image/jpeg;base64,${PNG_1X1}` }] }, 422, 'image_type_mismatch', 'input[0]'],
    ]
    for (const [request, status, code, param] of cases) {
      const error = await rejection(run(request, deps))
      expect([error.status, error.code, error.param], JSON.stringify(request)).toEqual([status, code, param])
    }
    const tooMany = await rejection(run({ input: ['a', 'b', 'c'] }, deps, { maxInputs: 2 }))
    expect([tooMany.status, tooMany.code]).toEqual([413, 'too_many_inputs'])
    const tooBig = await rejection(run({ input: [{ image: PNG_1X1 }] }, deps, { maxImagePixels: 0 }))
    expect([tooBig.status, tooBig.code]).toEqual([413, 'image_too_large'])
  })

  it('accepts data URIs and bare base64 for the same image as one item', async () => {
    const deps = fakeDeps()
    const outcome = await run(
      raw({ input: [{ image: `data:image/png;base64,${PNG_1X1}` }, { image: PNG_1X1 }] }),
      deps,
    )
    expect(outcome.body.data[1]!.embedding).toEqual(outcome.body.data[0]!.embedding)
    const lenient = await run({ input: [{ image: `data:application/octet-stream;base64,${PNG_1X1}` }] }, deps)
    expect(lenient.body.data).toHaveLength(1)
    expect((deps.backend as RecordingBackend).calls[0]).toHaveLength(1)
  })
})
