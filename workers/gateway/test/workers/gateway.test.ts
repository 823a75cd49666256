// The Worker end to end inside workerd: auth against KV, rate limits in the Durable Object, the edge
// tower for short texts, KV as the shared cache, and the backend for long texts and images.
import { fixtureModelSpec, sha256OfBytes, textCacheKey } from '@edgeclip/core'
import { describe, expect, it, vi } from 'vitest'
import { KvEmbeddingCache } from '../../src/adapters'
import { IN_PROCESS_EDGE_NUMERICS } from '../../src/workers/deps'
import { fixtureTextModel } from '../../src/workers/fixture'
import { maxAbsoluteDifference, receivedBatches, referenceTextVectors } from './support/reference-vectors'
import { embeddingsOf, postEmbeddings, storeApiKey, wholeWordIds } from './support/requests'
import { imageVector } from './support/shared'
import { env } from './support/worker'

const TOLERANCE = 1e-4
const { dimensions } = fixtureModelSpec
// A 1x1 opaque PNG: the smallest real image the gateway will accept and forward.
const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=='
const pngBytes = Uint8Array.from(atob(PNG_BASE64), (character) => character.charCodeAt(0))

/** A text longer than EDGECLIP_EDGE_MAX_TOKENS, made of whole vocab words. */
const longText = () => Array.from({ length: Number(env.EDGECLIP_EDGE_MAX_TOKENS) }, () => 'cat').join(' ')

describe('auth', () => {
  it('answers 401 with an OpenAI-style error without a key, and serves a key stored in KV', async () => {
    const refused = await postEmbeddings({ input: 'hello world' }, undefined)
    expect(refused.status).toBe(401)
    expect(await refused.json()).toMatchObject({ error: { type: 'authentication_error' } })

    const unknown = await postEmbeddings({ input: 'hello world' }, 'ec_000000000000_notakey')
    expect(unknown.status).toBe(401)

    const key = await storeApiKey()
    expect((await postEmbeddings({ input: 'hello world' }, key)).status).toBe(200)
  })
})

describe('edge tower', () => {
  it('embeds a short text in the Worker with the vector onnxruntime-node gives for its ids', async () => {
    const key = await storeApiKey()
    const response = await postEmbeddings({ input: 'a photo of a cat', normalized: false }, key)
    expect(response.headers.get('x-edgeclip-route')).toBe('edge')
    expect(response.headers.get('x-edgeclip-cache')).toBe('miss')
    const [actual] = await embeddingsOf(response)
    const [expected] = await referenceTextVectors([wholeWordIds('a photo of a cat')])
    expect(actual).toHaveLength(dimensions)
    expect(maxAbsoluteDifference(actual!, expected!)).toBeLessThan(TOLERANCE)
  })

  it('L2-normalizes by default', async () => {
    const key = await storeApiKey()
    const [vector] = await embeddingsOf(await postEmbeddings({ input: 'red car' }, key))
    expect(Math.hypot(...vector!)).toBeCloseTo(1, 4)
  })
})

/** The key the Worker stores a fixture text under: its bundled tower's sha256, run by onnxruntime-web. */
const fixtureEdgeKey = async (ids: readonly number[]) =>
  textCacheKey(
    {
      spec: fixtureModelSpec,
      tower: {
        weights: await sha256OfBytes(new Uint8Array(fixtureTextModel)),
        numerics: IN_PROCESS_EDGE_NUMERICS,
      },
    },
    ids,
  )

describe('cache', () => {
  it('writes computed vectors back to KV and answers a repeated text from the cache', async () => {
    const key = await storeApiKey()
    const request = { input: ['blue sky', 'green tree'], normalized: false }
    const first = await postEmbeddings(request, key)
    expect(first.headers.get('x-edgeclip-cache')).toBe('miss')
    const firstVectors = await embeddingsOf(first)
    // The write-back runs in waitUntil, after the response.
    const kv = new KvEmbeddingCache(env.CACHE)
    const cacheKey = await fixtureEdgeKey(wholeWordIds('blue sky'))
    // Generous: a loaded CI machine may take seconds to run it (the default gives up after 1 s).
    await vi.waitFor(async () => expect(await kv.getMany([cacheKey])).toEqual([firstVectors[0]]), {
      timeout: 15_000,
      interval: 50,
    })

    const second = await postEmbeddings(request, key)
    expect(second.headers.get('x-edgeclip-cache')).toBe('hit')
    expect(second.headers.get('x-edgeclip-route')).toBe('cache')
    expect(await embeddingsOf(second)).toEqual(firstVectors)
  })

  it('reads vectors from the KV namespace by exact cache key', async () => {
    const key = await storeApiKey()
    const ids = wholeWordIds('small house')
    const stored = Float32Array.from({ length: dimensions }, (_, index) => index / dimensions)
    await new KvEmbeddingCache(env.CACHE).setMany([{ key: await fixtureEdgeKey(ids), vector: stored }])

    const response = await postEmbeddings({ input: 'small house', normalized: false }, key)
    expect(response.headers.get('x-edgeclip-cache')).toBe('hit')
    const [vector] = await embeddingsOf(response)
    expect(maxAbsoluteDifference(vector!, stored)).toBe(0)
  })
})

describe('rate limits', () => {
  it('answers 429 with retry-after once a key spends its requests for the minute', async () => {
    const key = await storeApiKey({ requestsPerMinute: 2 })
    expect((await postEmbeddings({ input: 'one' }, key)).status).toBe(200)
    expect((await postEmbeddings({ input: 'two' }, key)).status).toBe(200)
    const limited = await postEmbeddings({ input: 'three' }, key)
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await limited.json()).toMatchObject({ error: { type: 'rate_limit_error' } })
  })
})

describe('backend routing', () => {
  it('sends long texts to the backend with its secret, and keeps input order in a mixed batch', async () => {
    const key = await storeApiKey()
    const before = (await receivedBatches()).length
    const response = await postEmbeddings({ input: ['night sky', longText()], normalized: false }, key)
    expect(response.headers.get('x-edgeclip-route')).toBe('mixed')
    const [short, long] = await embeddingsOf(response)

    const batches = (await receivedBatches()).slice(before)
    expect(batches).toHaveLength(1)
    expect(batches[0]!.items).toEqual([wholeWordIds(longText())])
    expect(batches[0]!.authorization).toContain(env.BACKEND_SECRET)

    const [expectedShort, expectedLong] = await referenceTextVectors([
      wholeWordIds('night sky'),
      wholeWordIds(longText()),
    ])
    expect(maxAbsoluteDifference(short!, expectedShort!)).toBeLessThan(TOLERANCE)
    expect(maxAbsoluteDifference(long!, expectedLong!)).toBeLessThan(TOLERANCE)
  })

  it('forwards image bytes to the backend and returns its vector', async () => {
    const key = await storeApiKey()
    const response = await postEmbeddings(
      { input: [{ image: `data:image/png;base64,${PNG_BASE64}` }], normalized: false },
      key,
    )
    expect(response.headers.get('x-edgeclip-route')).toBe('backend')
    const [vector] = await embeddingsOf(response)
    expect(maxAbsoluteDifference(vector!, await imageVector(pngBytes, dimensions))).toBeLessThan(1e-6)
  })
})

describe('under load and abuse', () => {
  it('serves concurrent requests on the one edge tower, each with its own vector', async () => {
    const key = await storeApiKey()
    const texts = ['one cat', 'two dog', 'three bird', 'four tree', 'five car', 'big house']
    const responses = await Promise.all(
      texts.map((text) => postEmbeddings({ input: text, normalized: false }, key)),
    )
    const vectors = (await Promise.all(responses.map(embeddingsOf))).map(([vector]) => vector!)
    const expected = await referenceTextVectors(texts.map((text) => wholeWordIds(text)))
    vectors.forEach((vector, index) => {
      expect(maxAbsoluteDifference(vector, expected[index]!)).toBeLessThan(TOLERANCE)
    })
  })

  it('refuses image URLs that point at private addresses', async () => {
    const key = await storeApiKey()
    const response = await postEmbeddings({ input: [{ image: 'http://127.0.0.1:9/cat.png' }] }, key)
    expect(response.status).toBeGreaterThanOrEqual(400)
    expect(response.status).toBeLessThan(500)
    expect(await response.json()).toMatchObject({ error: { param: 'input[0]' } })
  })
})
