// An API client that is careless or hostile, against the real Node gateway in front of the real
// GPU backend process (fixture model), over real HTTP. Each case was a defect once: a junk item the
// error did not name, image URLs that made the gateway hold unbounded bytes or hand the backend a
// frame it refuses (a 502 for the caller's mistake), and fetches that ran on after the request failed.
import { once } from 'node:events'
import type { ServerResponse } from 'node:http'
import { gzipSync } from 'node:zlib'
import { decodeEmbedding } from '@edgeclip/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type TestServer } from '../../src/adapters/image-fetch/image-server.test-support'
import { NodeSafeImageFetcher } from '../../src/adapters/node'
import { l2Normalize } from '../../src/pipeline'
import { frameBytes } from '../../src/pipeline/backend-frames'
import { solidPng } from '../node/support/png'
import { fixtureModel, fixtureTower, startTestGateway, type TestGateway } from '../node/support/test-gateway'
import { type RealBackend, startRealBackend } from '../support/real-backend'
import { noisePng } from './support/bad-images'

type ErrorBody = { error: { message: string; type: string; code: string; param: string | null } }
type EmbeddingsBody = { data: { index: number; embedding: string }[] }

/** The gateway's body limit, and (as on the defaults, 32 MiB and 64 MiB) half the backend's frame limit. */
const MAX_BODY_BYTES = 1024 * 1024
const BACKEND_MAX_REQUEST_BYTES = 2 * MAX_BODY_BYTES
/** Incompressible, so each is ~390 KB: three are over the body limit, six over the backend's. */
const images = Array.from({ length: 20 }, () => noisePng(360, 360))

let backend: RealBackend
let gateway: TestGateway
let imageServer: TestServer
/** Responses of the slow image server; each resolves when its socket closes. */
const slowResponses: Promise<unknown>[] = []
let slowArrived: () => void
/** The failing URL answers only once the slow one is being served, so both are surely running. */
const slowStarted = new Promise<void>((resolve) => {
  slowArrived = resolve
})

beforeAll(async () => {
  backend = await startRealBackend({ MAX_REQUEST_BYTES: String(BACKEND_MAX_REQUEST_BYTES) })
  imageServer = await startServer((request, response) => {
    const path = request.url ?? ''
    if (path.startsWith('/slow')) return dripForever(response)
    if (path.startsWith('/late-404')) return void slowStarted.then(() => response.writeHead(404).end())
    const image = images[Number(/\d+/.exec(path)?.[0])]
    if (!image) return response.writeHead(404).end()
    response.writeHead(200, { 'content-type': 'image/png' }).end(image)
  })
  gateway = await startTestGateway(
    {
      BACKEND_URL: backend.url,
      BACKEND_SECRET: backend.secret,
      EDGECLIP_AUTH: 'off',
      EDGECLIP_MAX_BODY_BYTES: String(MAX_BODY_BYTES),
    },
    {
      // Only the test's image server, and a fetch deadline past the test timeout: a fetch that is
      // not stopped by the gateway outlives the test.
      imageFetcher: new NodeSafeImageFetcher({
        allowAddress: (address, port) => address === '127.0.0.1' && port === imageServer.port,
        timeoutMs: 120_000,
      }),
    },
  )
})

afterAll(async () => {
  await gateway?.close()
  await imageServer?.close()
  await backend?.stop()
  await (await fixtureModel()).edgeTower!().then((tower) => tower.release())
})

function dripForever(response: ServerResponse) {
  response.writeHead(200, { 'content-type': 'image/png' })
  const timer = setInterval(() => response.write(Buffer.from([0x89])), 100)
  slowResponses.push(once(response, 'close').finally(() => clearInterval(timer)))
  slowArrived()
}

const imageUrl = (index: number) => ({ image: `${imageServer.url}/image-${index}.png` })

function post(body: unknown) {
  return fetch(`${gateway.url}/v1/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
}

async function expectRefused(response: Response, status: number, code: string, param: string | null) {
  const body = (await response.json()) as ErrorBody
  expect([response.status, body.error.code, body.error.param], body.error.message).toEqual([
    status,
    code,
    param,
  ])
  expect(body.error.message).toContain(param ?? '')
  return body
}

describe('junk items', () => {
  it.each([
    ['a number', ['fine', 5], 'input[1]'],
    ['null', ['fine', 'also fine', null], 'input[2]'],
    ['a nested list', ['fine', ['nested']], 'input[1]'],
    ['an object with both text and image', ['fine', { text: 'a', image: 'b' }], 'input[1]'],
    ['an empty object', [{}], 'input[0]'],
    ['a text that is not a string', ['fine', { text: 5 }], 'input[1]'],
    ['an image that is not a string', ['fine', 'fine', 'fine', { image: ['x'] }], 'input[3]'],
  ])('%s is a 400 whose param names the item', async (_label, input, param) => {
    const body = await expectRefused(await post({ input }), 400, 'invalid_request', param)
    expect(body.error.message).toMatch(/must be a string/)
  })

  it('a top-level input of the wrong type still names input', async () => {
    await expectRefused(await post({ input: { text: 'a' } }), 400, 'invalid_request', 'input')
    await expectRefused(await post({ input: 42 }), 400, 'invalid_request', 'input')
  })
})

describe('rate limits', () => {
  it("a request with more tokens than the key's whole per-minute budget is a 413, not a 429 to retry forever", async () => {
    const limited = await startTestGateway({ BACKEND_URL: backend.url, BACKEND_SECRET: backend.secret })
    try {
      const { key } = await limited.createKey({ tokensPerMinute: 10 })
      const send = (input: string[]) =>
        fetch(`${limited.url}/v1/embeddings`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({ input }),
        })
      // 2 x 7 tokens: each text fits the budget, the request never can.
      const body = await expectRefused(
        await send(['one two three four five', 'a b c d e']),
        413,
        'request_too_large',
        'input',
      )
      expect(body.error.message).toMatch(/14 tokens.*10 tokens per minute/)
      // Nothing was charged: the same key still has its budget for a request that fits.
      expect((await send(['one two three four five'])).status).toBe(200)
    } finally {
      await limited.close()
    }
  })
})

describe('bodies', () => {
  it('a gzip body is a 415 that says the encoding is the problem, not a malformed JSON 400', async () => {
    const response = await fetch(`${gateway.url}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify({ input: 'compressed' })),
    })
    const body = await expectRefused(response, 415, 'unsupported_media_type', null)
    expect(body.error.message).toMatch(/content-encoding: gzip/)
  })
})

describe('inline images', () => {
  it('a data URI in capitals, and base64 wrapped at 76 columns (MIME, openssl), are the same image', async () => {
    const base64 = Buffer.from(solidPng(5, 3, [90, 20, 200])).toString('base64')
    const spellings = [
      base64,
      `DATA:image/png;BASE64,${base64}`,
      `data:Image/PNG;Base64,${base64}`,
      base64.replace(/(.{76})/g, '$1\n'),
      `data:image/png;base64,${base64.replace(/(.{76})/g, '$1\r\n')}`,
    ]
    const response = await post({ input: spellings.map((image) => ({ image })), encoding_format: 'base64' })
    expect(response.status, await response.clone().text()).toBe(200)
    const rows = ((await response.json()) as EmbeddingsBody).data
    expect(new Set(rows.map((row) => row.embedding)).size).toBe(1)
  })
})

describe('image URLs', () => {
  it('images adding up to more than a request body are a 413 before the backend sees them, and the rest are not fetched', async () => {
    const input = images.map((_, index) => imageUrl(index))
    const before = imageServer.requests.length
    const body = await expectRefused(await post({ input }), 413, 'request_too_large', 'input')
    expect(body.error.message).toMatch(`${MAX_BODY_BYTES} bytes`)
    expect(imageServer.requests.length - before).toBeLessThan(input.length)
  })

  it('one URL sent many times is fetched once and served for every item', async () => {
    const url = `${imageServer.url}/image-0.png?copies=30`
    const input = Array.from({ length: 30 }, () => ({ image: url }))
    const response = await post({ input, encoding_format: 'base64' })
    expect(response.status, await response.clone().text()).toBe(200)
    const rows = ((await response.json()) as EmbeddingsBody).data
    expect(rows).toHaveLength(input.length)
    expect(new Set(rows.map((row) => row.embedding)).size).toBe(1)
    expect(imageServer.requests.filter((request) => url.endsWith(request.path))).toHaveLength(1)
  })

  it('many slow URLs share one deadline: a 422 image_fetch_timeout, not a request that runs for minutes', async () => {
    // Each image takes 0.8 s, under the 1 s fetch deadline; 60 of them, a few at a time, take far
    // longer than the three fetch deadlines a request's URLs get in all.
    const slowly = await startServer((_request, response) => {
      const timer = setTimeout(
        () => response.writeHead(200, { 'content-type': 'image/png' }).end(images[0]),
        800,
      )
      response.on('close', () => clearTimeout(timer))
    })
    const impatient = await startTestGateway(
      { BACKEND_URL: backend.url, BACKEND_SECRET: backend.secret, EDGECLIP_AUTH: 'off' },
      {
        imageFetcher: new NodeSafeImageFetcher({
          allowAddress: (address, port) => address === '127.0.0.1' && port === slowly.port,
          timeoutMs: 1_000,
        }),
      },
    )
    try {
      const input = Array.from({ length: 60 }, (_, index) => ({ image: `${slowly.url}/${index}.png` }))
      const response = await fetch(`${impatient.url}/v1/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input }),
      })
      const body = (await response.json()) as ErrorBody
      expect([response.status, body.error.code], body.error.message).toEqual([422, 'image_fetch_timeout'])
      expect(body.error.param).toMatch(/^input\[\d+\]$/)
      expect(slowly.requests.length).toBeLessThan(input.length)
    } finally {
      await impatient.close()
      await slowly.close()
    }
  }, 60_000)

  it('a failing image stops the fetches still running for the same request', async () => {
    const input = [{ image: `${imageServer.url}/slow.png` }, { image: `${imageServer.url}/late-404.png` }]
    await expectRefused(await post({ input }), 422, 'image_fetch_failed', 'input[1]')
    // The slow server is never done: only the gateway abandoning the fetch closes its socket.
    expect(slowResponses).toHaveLength(1)
    await slowResponses[0]
  })
})

describe('long texts', () => {
  it('tokenizing a large request lets the event loop turn (other requests, health probes) between texts', async () => {
    const { tokenizer } = await fixtureModel()
    let calls = 0
    let turned = false
    let turnedBeforeLast = false
    const texts = Array.from({ length: 4 }, (_, index) => `${'cat '.repeat(25_000)}${index}`)
    const watching = await startTestGateway(
      { BACKEND_URL: backend.url, BACKEND_SECRET: backend.secret, EDGECLIP_AUTH: 'off' },
      {
        tokenizer: {
          encode(text, options) {
            calls++
            if (calls === 1) setImmediate(() => (turned = true))
            if (calls === texts.length) turnedBeforeLast = turned
            return tokenizer.encode(text, options)
          },
        },
      },
    )
    try {
      const response = await fetch(`${watching.url}/v1/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: texts, truncate: true }),
      })
      expect(response.status, await response.clone().text()).toBe(200)
      expect(calls).toBe(texts.length)
      expect(turnedBeforeLast).toBe(true)
    } finally {
      await watching.close()
    }
  })

  it('texts whose ids outgrow the backend frame limit are sent in several frames and all served', async () => {
    // Punctuation is one token per character: ~0.6 MB of body, ~2.4 MB of ids in backend frames,
    // over the backend's 2 MiB limit. (1900 texts made ~3.9 MB, and the test one of the slowest.)
    const marks = '.,!?-:;()'
    const input = Array.from({ length: 1200 }, (_, index) => {
      const prefix = [0, 1, 2, 3].map(
        (digit) => marks[Math.floor(index / marks.length ** digit) % marks.length],
      )
      return `${prefix.join('')}${'.'.repeat(496)}`
    })
    expect(JSON.stringify({ input }).length).toBeLessThan(MAX_BODY_BYTES)
    const response = await post({ input, encoding_format: 'base64' })
    expect(response.status, await response.clone().text()).toBe(200)
    expect(response.headers.get('x-edgeclip-route')).toBe('backend')
    const rows = ((await response.json()) as EmbeddingsBody).data
    expect(rows.map((row) => row.index)).toEqual(input.map((_, index) => index))
    // Each row is its own text's vector (the fixture's mean pooling makes many of them equal).
    const { tokenizer } = await fixtureModel()
    const ids = input.map((text) => tokenizer.encode(text).ids)
    const idBytes = ids.reduce((sum, row) => sum + frameBytes({ kind: 'text', ids: row }), 0)
    expect(idBytes, 'one frame would be over the backend limit').toBeGreaterThan(BACKEND_MAX_REQUEST_BYTES)
    const tower = await fixtureTower()
    for (let start = 0; start < input.length; start += tower.maxBatchSize) {
      const texts = input.slice(start, start + tower.maxBatchSize)
      const expected = await tower.embed(ids.slice(start, start + texts.length))
      expected.forEach((row, offset) => {
        const got = decodeEmbedding(rows[start + offset]!.embedding, 'base64', row.length)
        const want = l2Normalize(row)
        const worst = Math.max(...got.map((value, position) => Math.abs(value - want[position]!)))
        expect(worst, `input[${start + offset}]`).toBeLessThan(1e-5)
      })
    }
  }, 60_000)
})
