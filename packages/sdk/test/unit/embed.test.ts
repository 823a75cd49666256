// embed(): request shape, decoding, splitting and order, against a scripted fetch.
import { describe, expect, expectTypeOf, it } from 'vitest'
import { EdgeClip, EdgeClipSDKError, PayloadTooLargeError, type Progress } from '../../src'
import { embeddingsAnswer, errorBody, fakeFetch, json } from '../support/fake-fetch'

const texts = (count: number) => Array.from({ length: count }, (_, index) => String(index))
const firstColumn = (rows: Float32Array[]) => rows.map((row) => row[0])

describe('embed', () => {
  it('posts the inputs with base64 on the wire and decodes Float32Array rows', async () => {
    const { fetch, calls } = fakeFetch((call) => embeddingsAnswer(call))
    const client = new EdgeClip({
      apiKey: 'ec_test_secret',
      baseURL: 'http://gateway.test/',
      fetch,
      maxBatchSize: 8,
    })
    const response = await client.embed(['7', { text: '9' }], { normalized: false, truncate: true })

    expect(calls).toHaveLength(1)
    expect(calls[0]!.url).toBe('http://gateway.test/v1/embeddings')
    expect(calls[0]!.headers.get('authorization')).toBe('Bearer ec_test_secret')
    expect(calls[0]!.headers.get('content-type')).toBe('application/json')
    expect(calls[0]!.body).toEqual({
      input: [{ text: '7' }, { text: '9' }],
      encoding_format: 'base64',
      normalized: false,
      truncate: true,
    })
    expect(response.embeddings[0]).toBeInstanceOf(Float32Array)
    expect(firstColumn(response.embeddings)).toEqual([7, 9])
    expect(response).toMatchObject({
      model: 'jina-clip-v1',
      usage: { promptTokens: 2, totalTokens: 2 },
      requestIDs: ['request-0'],
    })
  })

  it('decodes float arrays, and binary/ubinary as the same packed bytes', async () => {
    const { fetch } = fakeFetch((call) => {
      const data = (encoding: string) => {
        if (encoding === 'float') return [0.5, -1.25]
        if (encoding === 'ubinary') return [255, 0, 129]
        return [127, -128, 1] // binary: the ubinary bytes minus 128
      }
      return json({
        model: 'jina-clip-v1',
        data: [{ index: 0, embedding: data(call.body?.encoding_format as string) }],
      })
    })
    const client = new EdgeClip({ baseURL: 'http://gateway.test', fetch })
    const float = await client.embedText('a', { encoding: 'float' })
    expect(Array.from(float.embeddings[0]!)).toEqual([0.5, -1.25])
    const ubinary = await client.embedText('a', { encoding: 'ubinary' })
    const binary = await client.embedText('a', { encoding: 'binary' })
    expect(ubinary.embeddings[0]).toBeInstanceOf(Uint8Array)
    expect(Array.from(ubinary.embeddings[0]!)).toEqual([255, 0, 129])
    expect(Array.from(binary.embeddings[0]!)).toEqual([255, 0, 129])
  })

  it('places rows by their index even when the server lists them out of order', async () => {
    const { fetch } = fakeFetch(async (call) => {
      const body = (await embeddingsAnswer(call).json()) as { data: unknown[] }
      return json({ ...body, data: body.data.reverse() })
    })
    const client = new EdgeClip({ baseURL: 'http://gateway.test', fetch })
    expect(firstColumn((await client.embedText(['3', '1', '2'])).embeddings)).toEqual([3, 1, 2])
  })

  it('refuses a response with a missing or repeated row instead of misaligning', async () => {
    const { fetch } = fakeFetch(() =>
      json({
        model: 'm',
        data: [
          { index: 0, embedding: [1] },
          { index: 0, embedding: [2] },
        ],
      }),
    )
    const client = new EdgeClip({ baseURL: 'http://gateway.test', fetch, maxBatchSize: 10 })
    await expect(client.embedText(['a', 'b'], { encoding: 'float' })).rejects.toThrow(/repeated index 0/)
  })

  it('splits a big job into batches, bounds concurrency, keeps order and reports progress', async () => {
    let inFlight = 0
    let mostInFlight = 0
    const { fetch, calls } = fakeFetch(async (call, index) => {
      inFlight++
      mostInFlight = Math.max(mostInFlight, inFlight)
      // Later batches answer first, so order cannot come from arrival.
      await new Promise((resolve) => setTimeout(resolve, 20 - index * 4))
      inFlight--
      return embeddingsAnswer(call, index)
    })
    const client = new EdgeClip({ baseURL: 'http://gateway.test', fetch, maxBatchSize: 3, maxConcurrency: 2 })
    const progress: Progress[] = []
    const response = await client.embedText(texts(10), { onProgress: (update) => progress.push(update) })

    expect(calls.map((call) => (call.body!.input as unknown[]).length)).toEqual([3, 3, 3, 1])
    expect(mostInFlight).toBe(2)
    expect(firstColumn(response.embeddings)).toEqual(texts(10).map(Number))
    expect(response.usage).toEqual({ promptTokens: 10, totalTokens: 10 })
    expect(response.requestIDs).toHaveLength(4)
    expect(progress.map((update) => update.total)).toEqual([10, 10, 10, 10])
    expect(progress.at(-1)!.completed).toBe(10)
    expect(progress.map((update) => update.completed)).toEqual(
      [...progress.map((update) => update.completed)].sort((a, b) => a - b),
    )
  })

  it('sizes batches by the max_inputs of GET /v1/models, asked once per client', async () => {
    const { fetch, calls } = fakeFetch((call, index) =>
      call.url.endsWith('/v1/models')
        ? json({ object: 'list', data: [{ id: 'jina-clip-v1', max_inputs: 4, dimensions: 768 }] })
        : embeddingsAnswer(call, index),
    )
    const client = new EdgeClip({ baseURL: 'http://gateway.test', fetch })
    await client.embedText(texts(9))
    await client.embedText(texts(5))
    const sizes = calls.map((call) => (call.body ? (call.body.input as unknown[]).length : 'models'))
    expect(sizes).toEqual(['models', 4, 4, 1, 4, 1])
  })

  it('halves a batch the server refuses as too large (413) until it fits, keeping order and usage', async () => {
    const { fetch, calls } = fakeFetch((call, index) => {
      if (call.url.endsWith('/v1/models')) {
        return json({ object: 'list', data: [{ id: 'jina-clip-v1', max_inputs: 8, dimensions: 768 }] })
      }
      // The server's limit dropped to 3 since /v1/models was read.
      return (call.body!.input as unknown[]).length > 3
        ? json(errorBody('at most 3 inputs', 'too_many_inputs', 'input'), 413)
        : embeddingsAnswer(call, index)
    })
    const client = new EdgeClip({ baseURL: 'http://gateway.test', fetch, maxRetries: 0 })
    const response = await client.embedText(texts(8))
    const sizes = calls.map((call) => (call.body ? (call.body.input as unknown[]).length : 'models'))
    expect(sizes).toEqual(['models', 8, 4, 2, 2, 4, 2, 2])
    expect(response.embeddings.map((row) => row[0])).toEqual(texts(8).map(Number))
    expect(response.usage.promptTokens).toBe(8)
  })

  it('does not split a single input the server refuses as too large', async () => {
    const { fetch, calls } = fakeFetch(() => json(errorBody('body too large', 'request_too_large'), 413))
    const client = new EdgeClip({ baseURL: 'http://gateway.test', fetch, maxRetries: 0 })
    await expect(client.embedText('x')).rejects.toBeInstanceOf(PayloadTooLargeError)
    expect(calls).toHaveLength(1)
  })

  it('throws a 413 that names an item at once, by its index in the job, without splitting', async () => {
    // The gateway refuses an image over the pixel limit with 413 naming it; halving cannot help.
    const { fetch, calls } = fakeFetch((call) => {
      const input = call.body!.input as { text: string }[]
      const big = input.findIndex((item) => item.text === '9')
      return big === -1
        ? embeddingsAnswer(call)
        : json(errorBody(`input[${big}] has too many pixels`, 'image_too_large', `input[${big}]`), 413)
    })
    const client = new EdgeClip({
      baseURL: 'http://gateway.test',
      fetch,
      maxRetries: 0,
      maxBatchSize: 4,
      maxConcurrency: 1,
    })
    const error = await client.embedText(texts(12)).catch((caught) => caught)
    expect(error).toBeInstanceOf(PayloadTooLargeError)
    // Batches are 0-3, 4-7, 8-11: the server said input[1] of the third batch.
    expect(error).toMatchObject({ code: 'image_too_large', param: 'input[9]', itemIndex: 9 })
    expect(error.message).toBe('413 input[9] has too many pixels')
    expect(calls.map((call) => (call.body!.input as unknown[]).length)).not.toContain(2)
  })

  it('names the failing item by its index in the job, whatever the status, also after halving', async () => {
    const { fetch } = fakeFetch((call, index) => {
      const input = call.body!.input as { text: string }[]
      if (input.length > 2) return json(errorBody('at most 2 inputs', 'too_many_inputs', 'input'), 413)
      const bad = input.findIndex((item) => item.text === '6')
      return bad === -1
        ? embeddingsAnswer(call, index)
        : json(errorBody('not a supported image', 'unsupported_image', `input[${bad}]`), 422)
    })
    const client = new EdgeClip({ baseURL: 'http://gateway.test', fetch, maxRetries: 0, maxBatchSize: 8 })
    const error = await client.embedText(texts(8)).catch((caught) => caught)
    expect(error).toMatchObject({ status: 422, code: 'unsupported_image', param: 'input[6]' })
  })

  it('falls back to the documented default when the server has no models route', async () => {
    const { fetch, calls } = fakeFetch((call) =>
      call.url.endsWith('/v1/models') ? json({ error: { message: 'no' } }, 404) : embeddingsAnswer(call),
    )
    const client = new EdgeClip({ baseURL: 'http://gateway.test', fetch })
    const response = await client.embedText(texts(3000))
    expect(calls.filter((call) => call.body).map((call) => (call.body!.input as unknown[]).length)).toEqual([
      2048, 952,
    ])
    expect(response.embeddings).toHaveLength(3000)
  })

  it('stops a split job at the first failed batch and throws its error', async () => {
    const { fetch, calls } = fakeFetch((call, index) =>
      index === 1
        ? json({ error: { message: 'bad item', code: 'invalid_request' } }, 400)
        : embeddingsAnswer(call, index),
    )
    const client = new EdgeClip({ baseURL: 'http://gateway.test', fetch, maxBatchSize: 2, maxConcurrency: 1 })
    await expect(client.embedText(texts(8))).rejects.toMatchObject({ status: 400, code: 'invalid_request' })
    expect(calls).toHaveLength(2)
  })

  it('rejects an empty job before calling the server', async () => {
    const { fetch, calls } = fakeFetch((call) => embeddingsAnswer(call))
    const client = new EdgeClip({ baseURL: 'http://gateway.test', fetch })
    await expect(client.embed([])).rejects.toBeInstanceOf(EdgeClipSDKError)
    expect(calls).toHaveLength(0)
  })
})

describe('batches by body size', () => {
  it('closes a batch before its body passes maxBatchBytes, and sends an oversized item alone', async () => {
    const { fetch, calls } = fakeFetch((call, index) => embeddingsAnswer(call, index))
    const client = new EdgeClip({
      baseURL: 'http://gateway.test',
      fetch,
      maxBatchSize: 100,
      maxBatchBytes: 100,
    })
    // Each item weighs its length plus 16 bytes of JSON around it.
    const inputs = ['a'.repeat(30), 'b'.repeat(30), 'c'.repeat(30), 'd'.repeat(200), 'e'.repeat(10)]
    const response = await client.embedText(inputs, { encoding: 'base64' })
    expect(
      calls.map((call) => (call.body!.input as { text: string }[]).map((item) => item.text[0]).join('')),
    ).toEqual(['ab', 'c', 'd', 'e'])
    expect(response.embeddings).toHaveLength(5)
    expect(response.requestIDs).toEqual(['request-0', 'request-1', 'request-2', 'request-3'])
  })

  it('asks GET /v1/models only once when the gateway has no such route', async () => {
    const { fetch, calls } = fakeFetch((call) =>
      call.url.endsWith('/v1/models') ? json({ error: { message: 'no' } }, 404) : embeddingsAnswer(call),
    )
    const client = new EdgeClip({ baseURL: 'http://gateway.test', fetch })
    await client.embedText(texts(3))
    await client.embedText(texts(3))
    expect(calls.filter((call) => call.url.endsWith('/v1/models'))).toHaveLength(1)
  })
})

describe('types', () => {
  it('types rows by encoding: Float32Array by default and for float/base64, Uint8Array for binary/ubinary', () => {
    const client = new EdgeClip({ baseURL: 'http://gateway.test', fetch: async () => json({}) })
    type Row<T extends (...args: never[]) => Promise<{ embeddings: unknown[] }>> = Awaited<
      ReturnType<T>
    >['embeddings'][number]
    const plain = () => client.embed(['a'])
    const floats = () => client.embedText('a', { encoding: 'float' })
    const packed = () => client.embedImage('https://example.com/a.png', { encoding: 'ubinary' })
    const signed = () => client.embed('a', { encoding: 'binary' })
    expectTypeOf<Row<typeof plain>>().toEqualTypeOf<Float32Array>()
    expectTypeOf<Row<typeof floats>>().toEqualTypeOf<Float32Array>()
    expectTypeOf<Row<typeof packed>>().toEqualTypeOf<Uint8Array>()
    expectTypeOf<Row<typeof signed>>().toEqualTypeOf<Uint8Array>()
  })
})
