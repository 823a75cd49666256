// The SDK against the real Node gateway on the fixture model: texts on its edge tower, images
// through its real image path to a fixture backend, auth and rate limits on.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fixtureModelSpec } from '@edgeclip/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AuthenticationError,
  cosineSimilarity,
  EdgeClip,
  type EmbedResponse,
  type Progress,
  RateLimitError,
  UnprocessableEntityError,
} from '../../src'
import { gradientPng } from '../support/png'
import { startTestStack, type TestStack } from '../support/test-stack'

const dimensions = fixtureModelSpec.dimensions
const texts = (count: number) => Array.from({ length: count }, (_, index) => `photo number ${index}`)
const length = (row: Float32Array) => Math.hypot(...row)
const asArrays = (response: EmbedResponse) => response.embeddings.map((row) => Array.from(row))

let stack: TestStack
let client: EdgeClip
let imageDir: string

beforeAll(async () => {
  stack = await startTestStack()
  client = new EdgeClip({ baseURL: stack.url, apiKey: await stack.createKey() })
  imageDir = await mkdtemp(join(tmpdir(), 'edgeclip-sdk-images-'))
  await writeFile(join(imageDir, 'one.png'), gradientPng(1))
}, 60_000)

afterAll(async () => {
  await stack?.close()
  if (imageDir) await rm(imageDir, { recursive: true, force: true })
})

describe('texts', () => {
  it('embeds texts as normalized Float32Array rows of the model width, with usage', async () => {
    const response = await client.embedText(['a photo of a cat', 'a dog'])
    expect(response.model).toBe(fixtureModelSpec.id)
    expect(response.embeddings).toHaveLength(2)
    for (const row of response.embeddings) {
      expect(row).toBeInstanceOf(Float32Array)
      expect(row).toHaveLength(dimensions)
      expect(length(row)).toBeCloseTo(1, 5)
    }
    expect(response.usage.promptTokens).toBeGreaterThan(2)
    expect(response.requestIDs).toHaveLength(1)
  })

  it('gets the same numbers over base64 (the default) as over float', async () => {
    const base64 = await client.embedText(['same numbers'])
    const float = await client.embedText(['same numbers'], { encoding: 'float' })
    expect(asArrays(base64)).toEqual(asArrays(float))
  })

  it('returns the raw vectors when normalized is false', async () => {
    const raw = await client.embedText('not unit length', { normalized: false })
    const unit = await client.embedText('not unit length')
    const scale = length(raw.embeddings[0]!)
    expect(raw.embeddings[0]![0]! / scale).toBeCloseTo(unit.embeddings[0]![0]!, 5)
  })

  it('returns binary and ubinary as the packed sign bits of the float vector', async () => {
    const [float] = (await client.embedText('signs')).embeddings
    const [ubinary] = (await client.embedText('signs', { encoding: 'ubinary' })).embeddings
    const [binary] = (await client.embedText('signs', { encoding: 'binary' })).embeddings
    expect(ubinary).toBeInstanceOf(Uint8Array)
    expect(ubinary).toHaveLength(dimensions / 8)
    expect(binary).toEqual(ubinary)
    const expected = new Uint8Array(dimensions / 8)
    float!.forEach((value, index) => {
      if (value > 0) expected[index >> 3]! |= 0x80 >> (index & 7)
    })
    expect(ubinary).toEqual(expected)
  })

  it("splits a job over the gateway's max_inputs, learned from GET /v1/models, and keeps order", async () => {
    const count = stack.maxInputs * 2 + 3
    const progress: Progress[] = []
    const whole = await client.embedText(texts(count), { onProgress: (update) => progress.push(update) })
    expect(whole.requestIDs).toHaveLength(3)
    expect(progress.at(-1)).toEqual({ completed: count, total: count })
    const oneByOne = await Promise.all(texts(count).map((text) => client.embedText(text)))
    expect(asArrays(whole)).toEqual(oneByOne.flatMap(asArrays))
  })

  it('carries the caller-chosen x-request-id', async () => {
    const response = await client.embedText('traced', { headers: { 'x-request-id': 'sdk-test-42' } })
    expect(response.requestIDs).toEqual(['sdk-test-42'])
  })
})

describe('images', () => {
  it('embeds bytes, a Blob and a file path alike, and mixes them with texts in order', async () => {
    const png = gradientPng(1)
    const response = await client.embed([
      { image: png },
      'a gradient',
      { image: new Blob([png], { type: 'image/png' }) },
      { image: join(imageDir, 'one.png') },
      { image: gradientPng(2) },
    ])
    const [bytes, text, blob, file, other] = response.embeddings
    expect(bytes).toHaveLength(dimensions)
    expect(Array.from(blob!)).toEqual(Array.from(bytes!))
    expect(Array.from(file!)).toEqual(Array.from(bytes!))
    expect(cosineSimilarity(bytes!, other!)).toBeLessThan(0.999999)
    expect(Array.from(text!)).toEqual(Array.from((await client.embedText('a gradient')).embeddings[0]!))
  })

  it('turns bytes that are not an image into a typed 422 naming the item', async () => {
    const error = await client
      .embedImage([gradientPng(1), new Uint8Array([1, 2, 3, 4])])
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(UnprocessableEntityError)
    expect(error).toMatchObject({ status: 422, code: 'unsupported_image', param: 'input[1]' })
  })
})

describe('errors from the gateway', () => {
  it('throws AuthenticationError with the request id for a wrong key', async () => {
    const stranger = new EdgeClip({ baseURL: stack.url, apiKey: 'ec_nobody_secret' })
    const error = await stranger.embedText('hi').catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(AuthenticationError)
    expect(error).toMatchObject({ status: 401, code: 'invalid_api_key', requestID: expect.any(String) })
  })

  it('throws RateLimitError carrying retry-after once the key is spent', async () => {
    const limited = new EdgeClip({
      baseURL: stack.url,
      apiKey: await stack.createKey({ requestsPerMinute: 1 }),
      maxRetries: 0,
    })
    await limited.embedText('first')
    const error = await limited.embedText('second').catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RateLimitError)
    expect((error as RateLimitError).headers?.get('retry-after')).toMatch(/^\d+$/)
  })
})
