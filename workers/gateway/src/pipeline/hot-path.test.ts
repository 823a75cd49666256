// The cache-hit shortcuts (L0 text -> key memo, encoded fragments) change no answer: the same key,
// the same bytes as the cold path, per encoding and width, and nothing remembered from a failure.
import { EdgeclipError, fixtureModelSpec } from '@edgeclip/core'
import { describe, expect, it } from 'vitest'
import { resolveGatewayConfig } from '../config'
import { StageTimings } from '../middleware/timing'
import type { TextTokenizer } from '../ports'
import type { EmbeddingsRequest } from '../schemas'
import { embedRequest } from '.'
import { cacheKeyOf } from './cache-keys'
import { renderEmbeddingsJson } from './encoded-fragments'
import {
  characterTokenizer,
  FAKE_EDGE_IDENTITY,
  type FakeDeps,
  fakeDeps,
  fakeVector,
} from './fake-deps.test-support'
import { textKeys } from './text-keys'

const config = resolveGatewayConfig({ edgeMaxTokens: 64 })
const RETAGGED = 9
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

function countingTokenizer(): TextTokenizer & { calls: string[] } {
  const calls: string[] = []
  return {
    calls,
    encode(input, options) {
      calls.push(input)
      return characterTokenizer.encode(input, options)
    },
  }
}

async function run(request: EmbeddingsRequest, deps: FakeDeps) {
  const outcome = await embedRequest(request, { deps, config, timings: new StageTimings() })
  await Promise.all(deps.pending)
  return outcome
}

describe('L0 text -> key memo', () => {
  it('gives a repeated text the key a cold tokenize + hash gives, without tokenizing again', async () => {
    const tokenizer = countingTokenizer()
    const deps = fakeDeps({ tokenizer })
    const first = await run({ input: ['memo me', 'and me'] }, deps)
    const second = await run({ input: ['and me', 'memo me'] }, deps)
    expect(tokenizer.calls).toEqual(['memo me', 'and me'])
    expect(second.cache).toBe('hit')
    expect(second.body.data[1]!.embedding).toEqual(first.body.data[0]!.embedding)
    const ids = characterTokenizer.encode('memo me').ids
    const expected = await cacheKeyOf(fixtureModelSpec, { kind: 'text', ids }, FAKE_EDGE_IDENTITY)
    expect(deps.cache.lookups.at(-1)).toContain(expected)
  })

  it('is scoped by truncate, tokenizer and spec, and keeps one key per tower', async () => {
    const tokenizer = countingTokenizer()
    const keys = textKeys({ spec: fixtureModelSpec, tokenizer }, false)
    const ids = keys.remember('scoped', tokenizer.encode('scoped').ids)
    expect(keys.remembered('scoped')).toEqual(characterTokenizer.encode('scoped').ids)
    const cold = (tower: typeof FAKE_EDGE_IDENTITY) =>
      cacheKeyOf(fixtureModelSpec, { kind: 'text', ids }, tower)
    const backendTower = { weights: 'b'.repeat(64), numerics: 'fp16/onnxruntime-node-cuda' }
    expect(await keys.keyOf('scoped', ids, FAKE_EDGE_IDENTITY)).toBe(await cold(FAKE_EDGE_IDENTITY))
    expect(await keys.keyOf('scoped', ids, backendTower)).toBe(await cold(backendTower))
    expect(await keys.keyOf('scoped', ids, backendTower)).not.toBe(await cold(FAKE_EDGE_IDENTITY))
    expect(textKeys({ spec: fixtureModelSpec, tokenizer }, true).remembered('scoped')).toBeUndefined()
    const otherSpec = { ...fixtureModelSpec, revision: 'another-revision' }
    expect(textKeys({ spec: otherSpec, tokenizer }, false).remembered('scoped')).toBeUndefined()
    const otherTokenizer = countingTokenizer()
    expect(textKeys({ spec: fixtureModelSpec, tokenizer: otherTokenizer }, false).remembered('scoped')).toBe(
      undefined,
    )
  })

  it('remembers nothing from a text refused as too long: it is refused again, and truncated when asked', async () => {
    const deps = fakeDeps({ tokenizer: countingTokenizer() })
    const long = 'x'.repeat(fixtureModelSpec.maxTokens + 5)
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await run({ input: long }, deps).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(EdgeclipError)
      expect((error as EdgeclipError).code).toBe('context_length_exceeded')
    }
    const truncated = await run({ input: long, truncate: true }, deps)
    expect(truncated.body.usage.prompt_tokens).toBe(fixtureModelSpec.maxTokens)
  })
})

describe('encoded fragments', () => {
  it('renders byte for byte what JSON.stringify renders', () => {
    const embeddings = [[0.5, -1e-7, 3], 'AAAA', [1, 2]]
    const model = 'odd "model" \\ name'
    const rendered = renderEmbeddingsJson({
      model,
      embeddings: embeddings.map((value) => new TextEncoder().encode(JSON.stringify(value))),
      promptTokens: 42,
    })
    expect(text(rendered)).toBe(
      JSON.stringify({
        object: 'list',
        model,
        data: embeddings.map((embedding, index) => ({ object: 'embedding', index, embedding })),
        usage: { prompt_tokens: 42, total_tokens: 42 },
      }),
    )
  })

  it('answers a hit, in every encoding and width, with the bytes a cold gateway answers', async () => {
    const warm = fakeDeps()
    const inputs = ['fragment one', 'fragment two', 'fragment one']
    await run({ input: inputs }, warm)
    const variants: EmbeddingsRequest[] = [
      { input: inputs },
      { input: inputs, encoding_format: 'base64' },
      { input: inputs, embedding_type: 'binary', normalized: false },
      { input: inputs, normalized: false },
    ]
    for (const request of variants) {
      // Twice on the warm gateway: the second answer is built from remembered fragments.
      const hit = await run(request, warm)
      const again = await run(request, warm)
      const cold = await run(request, fakeDeps())
      expect(hit.cache).toBe('hit')
      expect(text(again.json)).toBe(text(cold.json))
      expect(text(hit.json)).toBe(text(cold.json))
      expect(text(hit.json)).toBe(JSON.stringify(cold.body))
    }
  })

  it('never reuses a fragment for a freshly computed row', async () => {
    const deps = fakeDeps()
    await run({ input: 'recomputed', normalized: false }, deps)
    await run({ input: 'recomputed', normalized: false }, deps)
    const key = [...deps.cache.store.keys()][0]!
    // A torn row is a miss; the row computed again (here by a tower that tags it otherwise) is sent.
    deps.cache.store.set(key, new Float32Array(fixtureModelSpec.dimensions).fill(Number.NaN))
    deps.edgeTower = async () => ({
      modality: 'text',
      dimensions: fixtureModelSpec.dimensions,
      maxBatchSize: 4,
      embed: async (batch) => batch.map((ids) => fakeVector(ids, RETAGGED)),
      release: async () => {},
    })
    const again = await run({ input: 'recomputed', normalized: false }, deps)
    expect(again.cache).toBe('miss')
    expect((again.body.data[0]!.embedding as number[]).at(-1)).toBe(RETAGGED)
    const hit = await run({ input: 'recomputed', normalized: false }, deps)
    expect(hit.cache).toBe('hit')
    expect(text(hit.json)).toBe(text(again.json))
  })
})
