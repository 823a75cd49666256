// The Node gateway in front of the real @edgeclip/gpu-backend process (fixture model): readiness,
// one batched backend call for a mixed request, and the same vector for a text whichever path
// (edge tower in the gateway, or the backend) computed it.
import { decodeEmbedding, fixtureModelSpec } from '@edgeclip/core'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RealBackend, startRealBackend } from '../support/real-backend'
import { dataUri, solidPng } from './support/png'
import { fixtureModel, startTestGateway, type TestGateway } from './support/test-gateway'

const TOLERANCE = 1e-4
let backend: RealBackend
let withEdge: TestGateway
let backendOnly: TestGateway

beforeAll(async () => {
  backend = await startRealBackend()
  const env = { BACKEND_URL: backend.url, BACKEND_SECRET: backend.secret, EDGECLIP_AUTH: 'off' }
  withEdge = await startTestGateway({ ...env, EDGECLIP_EDGE_MAX_TOKENS: '8' })
  backendOnly = await startTestGateway({ ...env, EDGECLIP_EDGE: 'off' })
})

afterAll(async () => {
  await Promise.all([withEdge?.close(), backendOnly?.close()])
  await backend?.stop()
  await (await fixtureModel()).edgeTower!().then((tower) => tower.release())
})

async function embed(gateway: TestGateway, input: unknown) {
  const response = await fetch(`${gateway.url}/v1/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input, normalized: false, encoding_format: 'base64' }),
  })
  expect(response.status, await response.clone().text()).toBe(200)
  const body = (await response.json()) as { data: { index: number; embedding: string }[] }
  return {
    headers: response.headers,
    vectors: body.data.map((row) => decodeEmbedding(row.embedding, 'base64', fixtureModelSpec.dimensions)),
  }
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  return a.reduce((worst, value, index) => Math.max(worst, Math.abs(value - b[index]!)), 0)
}

describe('Node gateway with the real GPU backend', () => {
  it('is ready once the backend answers /readyz', async () => {
    const response = await fetch(`${withEdge.url}/readyz`)
    expect(await response.json()).toEqual({ status: 'ok', checks: { edge: 'ok', backend: 'ok' } })
  })

  it('serves a mixed request (edge text, backend text, image) in input order', async () => {
    const long = 'the cat and the dog sit on the red car in the city at night'
    const image = { image: dataUri(solidPng(40, 30, [200, 30, 90])) }
    const { headers, vectors } = await embed(withEdge, ['a cat', long, image])
    expect(vectors).toHaveLength(3)
    expect(headers.get('x-edgeclip-route')).toBe('mixed')
    expect(headers.get('server-timing')).toMatch(/edge;dur=.*backend;dur=/)
    const alone = await embed(backendOnly, [image, long])
    expect(maxDifference(vectors[2]!, alone.vectors[0]!)).toBeLessThan(TOLERANCE)
    expect(maxDifference(vectors[1]!, alone.vectors[1]!)).toBeLessThan(TOLERANCE)
  })

  it('gives a short text the same vector on the edge tower as on the backend', async () => {
    const text = 'a red car'
    const edge = await embed(withEdge, [text])
    const remote = await embed(backendOnly, [text])
    expect([edge.headers.get('x-edgeclip-route'), remote.headers.get('x-edgeclip-route')]).toEqual([
      'edge',
      'backend',
    ])
    expect(maxDifference(edge.vectors[0]!, remote.vectors[0]!)).toBeLessThan(TOLERANCE)
  })

  it('serves the official OpenAI client through to the backend', async () => {
    const client = new OpenAI({ apiKey: 'unused', baseURL: `${backendOnly.url}/v1`, maxRetries: 0 })
    const response = await client.embeddings.create({ model: 'jina-clip-v1', input: ['one', 'two'] })
    expect(response.data.map((row) => row.embedding.length)).toEqual([
      fixtureModelSpec.dimensions,
      fixtureModelSpec.dimensions,
    ])
  })
})
