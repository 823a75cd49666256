// The service end to end over real HTTP on the fixture model: vectors equal the towers' own, items
// from concurrent requests share a session.run and still land at their own index, a bad image fails
// only its slot, a full queue answers 503 with retry-after, and the secret is enforced.
import { BACKEND_BATCH_PATH, type BackendItem, fixtureModelSpec, WordPieceTokenizer } from '@edgeclip/core'
import { buildFixtureVocab } from '@edgeclip/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningBackend } from '../src'
import {
  expectClose,
  metricValue,
  noiseImage,
  postBatch,
  referenceVectors,
  SECRET,
  scrapeMetrics,
  startFixtureBackend,
  textIds,
} from './backend-test-support'

describe('backend service (fixture model, real HTTP)', () => {
  let backend: RunningBackend
  // A long wait makes merging certain: the batch closes when full or when the oldest item waited 1 s.
  beforeAll(async () => {
    backend = await startFixtureBackend({ BATCH_MAX_WAIT_MS: '1000', BATCH_MAX_TEXTS: '64' })
  })
  afterAll(() => backend?.close())

  it('answers texts and images with the towers own vectors, in item order', async () => {
    const items: BackendItem[] = [
      { kind: 'text', ids: textIds(1, 5) },
      { kind: 'image', bytes: await noiseImage(1) },
      { kind: 'text', ids: textIds(2, 40) },
      { kind: 'image', bytes: await noiseImage(2, 50, 120) },
    ]
    const response = await postBatch(backend.url, items)
    expect(response.status).toBe(200)
    expect(response.headers.get('server-timing')).toMatch(
      /decode;dur=.*queue;dur=.*inference;dur=.*total;dur=/,
    )
    const expected = await referenceVectors(items)
    response.result!.items.forEach((item, index) => {
      expect(item.ok).toBe(true)
      if (item.ok) expectClose(item.vector, expected[index]!)
    })
  })

  it('merges items from concurrent requests into one batch and gives each request its own rows', async () => {
    const before = await scrapeMetrics(backend.url)
    const requests = Array.from({ length: 4 }, (_, request) =>
      Array.from(
        { length: 3 },
        (_, item): BackendItem => ({ kind: 'text', ids: textIds(request * 10 + item, 8 + item) }),
      ),
    )
    const responses = await Promise.all(requests.map((items) => postBatch(backend.url, items)))
    const after = await scrapeMetrics(backend.url)
    const batches = (series: string) => metricValue(after, series) - metricValue(before, series)
    expect(batches('edgeclip_backend_batch_size_count{tower="text"}')).toBe(1)
    expect(batches('edgeclip_backend_batch_size_sum{tower="text"}')).toBe(12)
    const expected = await referenceVectors(requests.flat())
    responses.forEach((response, request) => {
      expect(response.status).toBe(200)
      response.result!.items.forEach((item, index) => {
        if (!item.ok) throw new Error(`item ${index} failed: ${item.message}`)
        expectClose(item.vector, expected[request * 3 + index]!)
      })
    })
  })

  it('fails a non-image and an out-of-vocab text in their own slots only', async () => {
    const items: BackendItem[] = [
      { kind: 'image', bytes: await noiseImage(3) },
      { kind: 'image', bytes: new TextEncoder().encode('not an image at all') },
      { kind: 'text', ids: [101, fixtureModelSpec.tokenizer.embeddingRows + 5, 102] },
      { kind: 'text', ids: textIds(4, 6) },
    ]
    const response = await postBatch(backend.url, items)
    expect(response.status).toBe(200)
    const [image, notImage, badText, text] = response.result!.items
    // No image header: the gateway's own answer for such bytes (core's checkImageHeader).
    expect(notImage).toMatchObject({ ok: false, status: 422, code: 'unsupported_image' })
    expect(badText).toMatchObject({ ok: false, status: 400, code: 'invalid_token_id' })
    const expected = await referenceVectors([items[0]!, items[3]!])
    expect(image?.ok && text?.ok).toBe(true)
    if (image?.ok) expectClose(image.vector, expected[0]!)
    if (text?.ok) expectClose(text.vector, expected[1]!)
  })

  it('refuses requests without the shared secret or with a wrong one', async () => {
    const items: BackendItem[] = [{ kind: 'text', ids: textIds(5, 4) }]
    expect((await postBatch(backend.url, items, { secret: null })).status).toBe(401)
    const wrong = await postBatch(backend.url, items, { secret: `${SECRET}x` })
    expect(wrong.status).toBe(401)
    expect(wrong.error?.error.code).toBe('invalid_backend_secret')
    expect((await fetch(`${backend.url}/metrics`)).status).toBe(401)
  })

  it('answers 404 for another model, 409 for another revision and 400 for a frame that is not ECB1', async () => {
    const other = await postBatch(backend.url, [{ kind: 'text', ids: textIds(6, 4) }], { model: 'nope' })
    expect(other.status).toBe(404)
    const ids = textIds(6, 4)
    const otherWeights = await postBatch(backend.url, [{ kind: 'text', ids }], { revision: 'older' })
    expect(otherWeights.status).toBe(409)
    expect(otherWeights.error?.error.code).toBe('model_revision_mismatch')
    const sameWeights = await postBatch(backend.url, [{ kind: 'text', ids }], {
      revision: fixtureModelSpec.revision,
    })
    expect(sameWeights.status).toBe(200)
    const garbage = await fetch(`${backend.url}${BACKEND_BATCH_PATH}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/vnd.edgeclip.batch' },
      body: 'hello',
    })
    expect(garbage.status).toBe(400)
    expect(((await garbage.json()) as { error: { code: string } }).error.code).toBe('invalid_backend_frame')
  })

  it('serves the JSON debug form with plain texts and base64 images', async () => {
    const image = await noiseImage(7)
    const tokenizer = WordPieceTokenizer.fromVocab(buildFixtureVocab(), fixtureModelSpec.tokenizer)
    const response = await fetch(`${backend.url}${BACKEND_BATCH_PATH}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: fixtureModelSpec.id,
        items: [
          { kind: 'image', base64: Buffer.from(image).toString('base64') },
          { kind: 'text', ids: textIds(7, 5) },
          { kind: 'text', text: 'Hello, World' },
        ],
      }),
    })
    expect(response.status).toBe(200)
    const body = (await response.json()) as {
      dimensions: number
      items: { ok: boolean; embedding: number[] }[]
    }
    expect(body.dimensions).toBe(fixtureModelSpec.dimensions)
    const expected = await referenceVectors([
      { kind: 'image', bytes: image },
      { kind: 'text', ids: textIds(7, 5) },
      { kind: 'text', ids: tokenizer.encode('Hello, World').ids },
    ])
    expect(body.items).toHaveLength(3)
    body.items.forEach((item, index) => {
      expectClose(Float32Array.from(item.embedding), expected[index]!)
    })
  })

  it('reports ready with the provider, and Prometheus metrics', async () => {
    const ready = (await (await fetch(`${backend.url}/readyz`)).json()) as Record<string, unknown>
    expect(ready).toMatchObject({
      status: 'ready',
      provider: 'cpu',
      variant: 'fp32',
      model: fixtureModelSpec.id,
    })
    const metrics = await scrapeMetrics(backend.url)
    expect(metrics).toContain('# TYPE edgeclip_backend_batch_size histogram')
    expect(metrics).toMatch(/edgeclip_backend_queue_depth\{tower="text"\} 0/)
    expect(metrics).toMatch(/edgeclip_backend_requests_total\{status="200"\} \d+/)
    expect(metrics).toMatch(/edgeclip_backend_stage_seconds_count\{stage="inference"\} [1-9]/)
    expect(metrics).toMatch(/edgeclip_backend_text_tokens_total\{kind="useful"\} [1-9]/)
  })
})

describe('backend overload', () => {
  let backend: RunningBackend
  // Items wait up to a minute for company, so the queue stays full while the test looks at it.
  beforeAll(async () => {
    backend = await startFixtureBackend({
      QUEUE_MAX_TEXTS: '4',
      BATCH_MAX_WAIT_MS: '60000',
      RETRY_AFTER_SECONDS: '3',
    })
  })
  afterAll(() => backend?.close())

  it('answers 503 with retry-after when a request does not fit the queue, and serves the queued ones', async () => {
    const queued = postBatch(backend.url, [
      { kind: 'text', ids: textIds(1, 4) },
      { kind: 'text', ids: textIds(2, 4) },
      { kind: 'text', ids: textIds(3, 4) },
    ])
    for (let attempt = 0; attempt < 200; attempt++) {
      const depth = metricValue(
        await scrapeMetrics(backend.url),
        'edgeclip_backend_queue_depth{tower="text"}',
      )
      if (depth === 3) break
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    const refused = await postBatch(backend.url, [
      { kind: 'text', ids: textIds(4, 4) },
      { kind: 'text', ids: textIds(5, 4) },
    ])
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('3')
    expect(refused.error?.error.code).toBe('backend_overloaded')
    // More texts than the queue can ever hold is not worth retrying: 413.
    const tooMany = await postBatch(
      backend.url,
      Array.from({ length: 5 }, (_, index) => ({ kind: 'text' as const, ids: textIds(index, 4) })),
    )
    expect(tooMany.status).toBe(413)
    expect(tooMany.error?.error.code).toBe('too_many_items')
    // Closing drains: the queued request is answered at once, not after its minute.
    await backend.close()
    const answered = await queued
    expect(answered.status).toBe(200)
    expect(answered.result!.items.every((item) => item.ok)).toBe(true)
  })
})
