// A tower that answers non-finite numbers (an fp16 export that overflows, a broken quantized file)
// must not reach callers as `null`s, nor the cache, where it would answer every later request.
// The real Node gateway over HTTP, in front of a real protocol backend; the towers are the fixture
// model's, with their rows spoiled on the way out.
import { fixtureModelSpec, type TextTower } from '@edgeclip/core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { LruEmbeddingCache } from '../../src/adapters'
import { type ProtocolBackend, startProtocolBackend } from '../node/support/protocol-backend'
import {
  fixtureEdgeTextKey,
  fixtureModel,
  fixtureTower,
  startTestGateway,
  type TestGateway,
} from '../node/support/test-gateway'

type EmbeddingsBody = { data: { embedding: (number | null)[] }[] }
type ErrorBody = { error: { code: string; message: string } }

/** The fixture tower, with the first value of every row overflowed to Infinity. */
function overflowing(tower: TextTower): TextTower {
  return Object.assign(Object.create(tower) as TextTower, {
    async embed(...args: Parameters<TextTower['embed']>) {
      const rows = await tower.embed(...args)
      return rows.map((row) => Float32Array.from(row, (value, index) => (index === 0 ? Infinity : value)))
    },
  })
}

let goodBackend: ProtocolBackend
let badBackend: ProtocolBackend
let badEdge: TestGateway
let badRows: TestGateway

beforeAll(async () => {
  const tower = await fixtureTower()
  goodBackend = await startProtocolBackend({ spec: fixtureModelSpec, textTower: tower })
  badBackend = await startProtocolBackend({ spec: fixtureModelSpec, textTower: overflowing(tower) })
  const broken = overflowing(tower)
  badEdge = await startTestGateway(
    { BACKEND_URL: goodBackend.url, EDGECLIP_AUTH: 'off' },
    { edgeTower: async () => broken },
  )
  badRows = await startTestGateway({
    BACKEND_URL: badBackend.url,
    EDGECLIP_AUTH: 'off',
    EDGECLIP_EDGE: 'off',
  })
})

afterAll(async () => {
  await Promise.all([badEdge?.close(), badRows?.close()])
  await Promise.all([goodBackend?.close(), badBackend?.close()])
  await (await fixtureModel()).edgeTower!().then((tower) => tower.release())
})

const post = (target: TestGateway, input: string[]) =>
  fetch(`${target.url}/v1/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input, encoding_format: 'float' }),
  })

const allFinite = (body: EmbeddingsBody) =>
  body.data.every((row) =>
    row.embedding.every((value) => typeof value === 'number' && Number.isFinite(value)),
  )

describe('non-finite rows', () => {
  it('from the edge tower: its texts go to the backend, and only finite rows are served and cached', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const first = await post(badEdge, ['an overflowing edge'])
    warn.mockRestore()
    expect([first.status, first.headers.get('x-edgeclip-route')]).toEqual([200, 'backend'])
    expect(allFinite((await first.json()) as EmbeddingsBody)).toBe(true)
    await badEdge.gateway.idle()
    // The backend's row is stored under the backend's key; the text still routes to the edge, whose
    // key has no entry (a NaN row is never stored), so it is computed again, never served as NaN.
    const again = await post(badEdge, ['an overflowing edge'])
    expect([again.headers.get('x-edgeclip-route'), again.headers.get('x-edgeclip-cache')]).toEqual([
      'backend',
      'miss',
    ])
    expect(allFinite((await again.json()) as EmbeddingsBody)).toBe(true)
  })

  it('already in the cache (written before this check existed): a miss, computed afresh and replaced', async () => {
    const text = 'poisoned before'
    const cache = new LruEmbeddingCache({ maxBytes: 1 << 20 })
    const ids = (await fixtureModel()).tokenizer.encode(text).ids
    const poisoned = new Float32Array(fixtureModelSpec.dimensions).fill(Number.NaN)
    await cache.setMany([{ key: await fixtureEdgeTextKey(ids), vector: poisoned }])
    const healing = await startTestGateway({ BACKEND_URL: goodBackend.url, EDGECLIP_AUTH: 'off' }, { cache })
    try {
      const first = await post(healing, [text])
      expect([first.status, first.headers.get('x-edgeclip-cache')]).toEqual([200, 'miss'])
      expect(allFinite((await first.json()) as EmbeddingsBody)).toBe(true)
      await healing.gateway.idle()
      const again = await post(healing, [text])
      expect(again.headers.get('x-edgeclip-cache')).toBe('hit')
      expect(allFinite((await again.json()) as EmbeddingsBody)).toBe(true)
    } finally {
      await healing.close()
    }
  })

  it('from the backend: a 502 backend_protocol_error, and nothing cached', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const first = await post(badRows, ['an overflowing backend'])
    const body = (await first.json()) as ErrorBody
    expect([first.status, body.error.code], body.error.message).toEqual([502, 'backend_protocol_error'])
    expect(body.error.message).toMatch(/not finite/)
    await badRows.gateway.idle()
    const again = await post(badRows, ['an overflowing backend'])
    warn.mockRestore()
    expect(again.status).toBe(502)
    expect(again.headers.get('x-edgeclip-cache')).toBeNull()
  })
})
