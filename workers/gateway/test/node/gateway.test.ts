// The Node gateway over real HTTP, against a real protocol backend, with the fixture model on
// onnxruntime-node; the official OpenAI client must work against it unchanged.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fixtureModelSpec } from '@edgeclip/core'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NodeSafeImageFetcher, SqliteEmbeddingCache } from '../../src/adapters/node'
import { CACHE_FILE_NAME } from '../../src/node'
import { l2Normalize } from '../../src/pipeline'
import { dataUri, solidPng, truncatedPng } from './support/png'
import { type ProtocolBackend, startProtocolBackend } from './support/protocol-backend'
import {
  fixtureEdgeTextKey,
  fixtureModel,
  fixtureTower,
  startTestGateway,
  type TestGateway,
} from './support/test-gateway'

type EmbeddingsBody = { data: { index: number; embedding: number[] }[]; usage: { prompt_tokens: number } }
type ErrorBody = { error: { message: string; code: string; param: string | null; type: string } }

const SECRET = 'integration-secret'
const LONG_TEXT = 'the cat and the dog sit on the red car in the city at night'

function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${url}/v1/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

async function expectError(response: Response, status: number, code: string, param?: string | null) {
  const body = (await response.json()) as ErrorBody
  expect([response.status, body.error.code], body.error.message).toEqual([status, code])
  if (param !== undefined) expect(body.error.param).toBe(param)
  expect(response.headers.get('x-request-id')).toBeTruthy()
  return body
}

async function referenceRow(text: string): Promise<Float32Array> {
  const model = await fixtureModel()
  const [row] = await (await fixtureTower()).embed([model.tokenizer.encode(text).ids])
  return l2Normalize(row!)
}

let backend: ProtocolBackend
let service: TestGateway

beforeAll(async () => {
  backend = await startProtocolBackend({
    spec: fixtureModelSpec,
    textTower: await fixtureTower(),
    secret: SECRET,
  })
  service = await startTestGateway({
    BACKEND_URL: backend.url,
    BACKEND_SECRET: SECRET,
    EDGECLIP_AUTH: 'off',
    EDGECLIP_EDGE_MAX_TOKENS: '8',
  })
})

afterAll(async () => {
  await service?.close()
  await backend?.close()
  await (await fixtureModel()).edgeTower!().then((tower) => tower.release())
})

describe('Node gateway', () => {
  it('serves the official OpenAI client unchanged (base64 by default)', async () => {
    const client = new OpenAI({ apiKey: 'unused-auth-off', baseURL: `${service.url}/v1`, maxRetries: 0 })
    const response = await client.embeddings.create({
      model: 'jina-clip-v1',
      input: ['a photo of a cat', 'hello'],
    })
    expect(response.data.map((item) => item.index)).toEqual([0, 1])
    for (const [index, text] of ['a photo of a cat', 'hello'].entries()) {
      const got = Float32Array.from(response.data[index]!.embedding)
      const expected = await referenceRow(text)
      expect(got.length).toBe(fixtureModelSpec.dimensions)
      expect(Math.max(...got.map((value, position) => Math.abs(value - expected[position]!)))).toBeLessThan(
        1e-6,
      )
    }
    expect(response.usage.prompt_tokens).toBeGreaterThan(0)
  })

  it('routes short texts to the edge and the rest to one backend batch, then serves repeats from cache', async () => {
    const input = [
      'hello world',
      LONG_TEXT,
      { image: dataUri(solidPng(40, 30, [200, 10, 10])) },
      'hello world',
    ]
    const batchesBefore = backend.batches.length
    const first = await post(service.url, { input, embedding_type: 'float' })
    expect(first.status).toBe(200)
    expect(first.headers.get('x-edgeclip-route')).toBe('mixed')
    expect(first.headers.get('x-edgeclip-cache')).toBe('miss')
    expect(first.headers.get('server-timing')).toMatch(/edge;dur=.*backend;dur=/)
    expect(backend.batches.slice(batchesBefore)).toEqual([2])
    const body = (await first.json()) as EmbeddingsBody
    expect(body.data[3]!.embedding).toEqual(body.data[0]!.embedding)
    // The backend runs the same tower, so the long text matches what the edge would give.
    const long = Float32Array.from(body.data[1]!.embedding)
    const expected = await referenceRow(LONG_TEXT)
    expect(Math.max(...long.map((value, index) => Math.abs(value - expected[index]!)))).toBeLessThan(1e-5)

    const again = await post(service.url, { input, embedding_type: 'float' })
    expect([again.headers.get('x-edgeclip-route'), again.headers.get('x-edgeclip-cache')]).toEqual([
      'cache',
      'hit',
    ])
    expect(((await again.json()) as EmbeddingsBody).data).toEqual(body.data)
  })

  it('fails the request with the backend status of the first failing item', async () => {
    const response = await post(service.url, { input: ['fine', { image: dataUri(truncatedPng()) }] })
    const body = await expectError(response, 422, 'invalid_image', 'input[1]')
    expect(body.error.message).toContain('input[1]')
  })

  it('fetches http images through the SSRF-guarded fetcher (loopback allowed for this test only)', async () => {
    const png = solidPng(16, 16, [0, 128, 255])
    const images = createServer((_request, response) =>
      response.writeHead(200, { 'content-type': 'image/png' }).end(png),
    )
    await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve))
    const imageUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}/blue.png`
    const permissive = await startTestGateway(
      { BACKEND_URL: backend.url, BACKEND_SECRET: SECRET, EDGECLIP_AUTH: 'off' },
      { imageFetcher: new NodeSafeImageFetcher({ allowPrivate: true }) },
    )
    try {
      const [byUrl, inline] = await Promise.all([
        post(permissive.url, { input: [{ image: imageUrl }], embedding_type: 'float' }),
        post(permissive.url, { input: [{ image: dataUri(png) }], embedding_type: 'float' }),
      ])
      expect(byUrl.status).toBe(200)
      expect(((await byUrl.json()) as EmbeddingsBody).data).toEqual(
        ((await inline.json()) as EmbeddingsBody).data,
      )
      // The default fetcher refuses loopback: no SSRF through the public gateway.
      await expectError(await post(service.url, { input: [{ image: imageUrl }] }), 400, 'image_url_forbidden')
    } finally {
      await permissive.close()
      images.close()
    }
  })

  it('drains cache write-backs on close', async () => {
    const draining = await startTestGateway({ BACKEND_URL: 'off', EDGECLIP_AUTH: 'off' })
    const response = await post(draining.url, { input: 'drain me' })
    expect(response.status).toBe(200)
    await draining.gateway.close()
    const cache = new SqliteEmbeddingCache(join(draining.dataDir, CACHE_FILE_NAME))
    const ids = (await fixtureModel()).tokenizer.encode('drain me').ids
    const [row] = await cache.getMany([await fixtureEdgeTextKey(ids)])
    expect(row?.length).toBe(fixtureModelSpec.dimensions)
    await draining.close()
  })
})
