// A client that leaves mid-request: the work done for it stops, and nothing from it is cached.
// The real Node gateway's app and the fixture model's real tower; the request goes through
// `app.request` so the test holds the request's signal (node:http aborts it when the socket
// closes) and can leave at an exact point, between two edge batches.
import type { TextTower } from '@edgeclip/core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { fixtureModel, fixtureTower, startTestGateway, type TestGateway } from '../node/support/test-gateway'

let gateway: TestGateway
let client: AbortController
let edgeBatches = 0
let backendCalls = 0

/** The fixture tower, counting batches; the client leaves while the second batch runs. */
function leavingTower(tower: TextTower): TextTower {
  return Object.assign(Object.create(tower) as TextTower, {
    async embed(...args: Parameters<TextTower['embed']>) {
      edgeBatches++
      if (edgeBatches === 2) client.abort(new Error('client went away'))
      return tower.embed(...args)
    },
  })
}

beforeAll(async () => {
  const tower = leavingTower(await fixtureTower())
  gateway = await startTestGateway(
    { BACKEND_URL: 'off', EDGECLIP_AUTH: 'off' },
    {
      edgeTower: async () => tower,
      backend: {
        name: 'counting',
        embedBatch: async () => {
          backendCalls++
          throw new Error('no texts should reach the backend in this test')
        },
        ready: async () => true,
      },
    },
  )
})

afterAll(async () => {
  await gateway?.close()
  await (await fixtureModel()).edgeTower!().then((tower) => tower.release())
})

const body = (input: string[]) => JSON.stringify({ input, encoding_format: 'base64' as const })

describe('a client that leaves mid-request', () => {
  it('stops the edge tower between batches, sends nothing to the backend and caches nothing', async () => {
    // 64 short texts: four edge batches of 16.
    const input = Array.from({ length: 64 }, (_, index) => `leaving client ${index}`)
    client = new AbortController()
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    const left = await gateway.gateway.app.request('/v1/embeddings', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body(input),
      signal: client.signal,
    })
    const errorLines = errors.mock.calls.map((call) => call.map(String).join(' '))
    errors.mockRestore()
    await gateway.gateway.idle()
    expect(edgeBatches).toBe(2)
    expect(backendCalls).toBe(0)
    // Leaving is the client's choice, not a server fault: no 500, nothing logged as an error.
    expect(left.status).toBe(499)
    expect(errorLines).toEqual([])

    // Nothing was written back: the same texts, asked again, are all computed afresh.
    client = new AbortController()
    edgeBatches = 10
    const again = await fetch(`${gateway.url}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body(input),
    })
    expect(again.status).toBe(200)
    expect(again.headers.get('x-edgeclip-cache')).toBe('miss')
  })

  it('stops tokenizing a large request', async () => {
    const { tokenizer } = await fixtureModel()
    const texts = Array.from({ length: 8 }, (_, index) => `${'cat '.repeat(25_000)}${index}`)
    let encoded = 0
    const leaving = new AbortController()
    const tokenizing = await startTestGateway(
      { BACKEND_URL: 'off', EDGECLIP_AUTH: 'off' },
      {
        tokenizer: {
          encode(text, options) {
            encoded++
            leaving.abort(new Error('client went away'))
            return tokenizer.encode(text, options)
          },
        },
      },
    )
    try {
      const left = await tokenizing.gateway.app.request('/v1/embeddings', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: texts, truncate: true }),
        signal: leaving.signal,
      })
      expect(left.status).toBe(499)
      expect(encoded).toBeLessThan(texts.length)
    } finally {
      await tokenizing.close()
    }
  })
})
