// Issue 7, item 1: every kind of bad input, sent over HTTP to the Node gateway in front of the real
// GPU backend process (fixture model). Each gets its status and a message that says what is wrong;
// the gateway keeps serving; and nothing from a failed request reaches the cache.

import { once } from 'node:events'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  pngBytes,
  startServer,
  type TestServer,
} from '../../src/adapters/image-fetch/image-server.test-support'
import { NodeSafeImageFetcher } from '../../src/adapters/node'
import { dataUri, solidPng } from '../node/support/png'
import { fixtureModel, startTestGateway, type TestGateway } from '../node/support/test-gateway'
import { type RealBackend, startRealBackend } from '../support/real-backend'
import { base64, hugeHeaderPng, pngBomb, svgBytes, truncatedJpeg } from './support/bad-images'

type ErrorBody = { error: { message: string; code: string; param: string | null; type: string } }

let backend: RealBackend
let gateway: TestGateway
/** Same backend, but its image fetcher may reach two loopback test servers (and nothing else). */
let fetching: TestGateway
let images: TestServer
let redirector: TestServer
let drip: TestServer
let canaryCount = 0

beforeAll(async () => {
  backend = await startRealBackend()
  const env = { BACKEND_URL: backend.url, BACKEND_SECRET: backend.secret, EDGECLIP_AUTH: 'off' }
  gateway = await startTestGateway(env)
  images = await startServer((_request, response) => response.writeHead(200).end(pngBytes(4, 4)))
  redirector = await startServer((_request, response) =>
    response.writeHead(302, { location: `${images.url}/cat.png` }).end(),
  )
  drip = await startServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'image/png' })
    const timer = setInterval(() => response.write(Buffer.from([0x89])), 50)
    response.on('close', () => clearInterval(timer))
  })
  const allowed = new Set([redirector.port, drip.port])
  fetching = await startTestGateway(env, {
    imageFetcher: new NodeSafeImageFetcher({
      allowAddress: (address, port) => address === '127.0.0.1' && allowed.has(port),
      timeoutMs: 1_000,
    }),
  })
})

afterAll(async () => {
  await Promise.all([gateway?.close(), fetching?.close()])
  await Promise.all([images?.close(), redirector?.close(), drip?.close()])
  await backend?.stop()
  await (await fixtureModel()).edgeTower!().then((tower) => tower.release())
})

function post(target: TestGateway, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${target.url}/v1/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

async function expectRefused(response: Response, status: number, code: string, message: RegExp) {
  const body = (await response.json()) as ErrorBody
  expect([response.status, body.error.code], body.error.message).toEqual([status, code])
  expect(body.error.message).toMatch(message)
  expect(response.headers.get('x-request-id')).toBeTruthy()
  return body
}

/** A fresh valid text and image per case: if either reaches the cache, the later check sees a hit. */
function canaries(): [string, { image: string }] {
  canaryCount++
  return [`canary ${canaryCount}`, { image: dataUri(solidPng(2, 2, [canaryCount, 7, 7])) }]
}
const usedCanaries: { target: TestGateway; input: [string, { image: string }] }[] = []

async function expectItemRefused(
  target: TestGateway,
  item: unknown,
  status: number,
  code: string,
  message: RegExp,
) {
  const pair = canaries()
  usedCanaries.push({ target, input: pair })
  // The bad item last, so the canaries are computed before it fails wherever the pipeline allows.
  const response = await post(target, { input: [...pair, item] })
  const body = await expectRefused(response, status, code, message)
  expect(body.error.param).toBe('input[2]')
}

describe('bad requests', () => {
  it('malformed JSON, wrong types and empty input are 400s that name the field', async () => {
    await expectRefused(await post(gateway, '{"input": ["a",'), 400, 'invalid_request', /JSON/i)
    await expectRefused(await post(gateway, '[1, 2]'), 400, 'invalid_request', /JSON object/)
    await expectRefused(await post(gateway, { input: 42 }), 400, 'invalid_request', /input must be/)
    await expectRefused(await post(gateway, { input: [{ text: 5 }] }), 400, 'invalid_request', /input/)
    await expectRefused(
      await post(gateway, { input: 'a', normalized: 'yes' }),
      400,
      'invalid_request',
      /normalized/,
    )
    await expectRefused(await post(gateway, { input: [] }), 400, 'empty_input', /at least one/)
    await expectRefused(await post(gateway, {}), 400, 'invalid_request', /input/)
  })

  it('10,000 inputs are a 413 that states the limit', async () => {
    const input = Array.from({ length: 10_000 }, (_, index) => `item ${index}`)
    await expectRefused(await post(gateway, { input }), 413, 'too_many_inputs', /2048/)
  })

  it('a 10 MB string is a 400 that states its token count and the limit', async () => {
    const response = await post(gateway, { input: 'cat '.repeat(2_500_000) })
    await expectRefused(response, 400, 'context_length_exceeded', /2500002 tokens.*512/)
  }, 60_000)

  it('a body over the limit is a 413, and so are headers over the limit (431 from node:http)', async () => {
    const oversized = `{"input":"${'a'.repeat(33 * 1024 * 1024)}"}`
    await expectRefused(await post(gateway, oversized), 413, 'request_too_large', /bytes/)
    const headers = await post(gateway, { input: 'a' }, { 'x-padding': 'a'.repeat(20 * 1024) })
    expect(headers.status).toBe(431)
  })

  it('an upload that drips too slowly is cut with a 408, and the gateway keeps serving', async () => {
    const slow = await startTestGateway({ EDGECLIP_AUTH: 'off', EDGECLIP_REQUEST_TIMEOUT_MS: '500' })
    try {
      const { hostname, port } = new URL(slow.url)
      const socket = connect(Number(port), hostname)
      await once(socket, 'connect')
      const body = JSON.stringify({ input: 'a slow cat' })
      socket.write(
        `POST /v1/embeddings HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\n` +
          `content-length: ${body.length}\r\n\r\n`,
      )
      // One byte of the body per 200 ms: the whole request would take seconds, past the 500 ms limit.
      let sent = 0
      const drip = setInterval(() => {
        if (sent < body.length && !socket.destroyed) socket.write(body[sent++]!)
      }, 200)
      let answer = ''
      socket.on('data', (chunk: Buffer) => {
        answer += chunk.toString('latin1')
      })
      await once(socket, 'close')
      clearInterval(drip)
      expect(answer).toMatch(/^HTTP\/1\.1 408/)
      expect(sent).toBeLessThan(body.length)
      expect((await fetch(`${slow.url}/healthz`)).status).toBe(200)
    } finally {
      await slow.close()
    }
  })
})

describe('bad images', () => {
  it('invalid base64 and data URIs are 400s', async () => {
    await expectItemRefused(gateway, { image: 'not base64 at all!' }, 400, 'invalid_image', /base64/)
    await expectItemRefused(gateway, { image: 'data:image/png;base64,@@@@' }, 400, 'invalid_image', /base64/)
    await expectItemRefused(gateway, { image: 'file:///etc/passwd' }, 400, 'invalid_image_url', /http/)
  })

  it('a data URI whose MIME type lies and non-image bytes are 422s; SVG is a 415', async () => {
    const png = base64(solidPng(4, 4, [1, 2, 3]))
    await expectItemRefused(
      gateway,
      { image: `data:image/jpeg;base64,${png}` },
      422,
      'image_type_mismatch',
      /says image\/jpeg but the bytes are image\/png/,
    )
    const text = base64(new TextEncoder().encode('just some words, not an image'))
    await expectItemRefused(gateway, { image: text }, 422, 'unsupported_image', /not a supported image/)
    await expectItemRefused(
      gateway,
      { image: base64(svgBytes()) },
      415,
      'unsupported_image_type',
      /image\/svg\+xml/,
    )
  })

  it('a PNG decompression bomb and a 20000x20000 image are refused from their headers', async () => {
    const bomb = pngBomb()
    expect(bomb.length).toBeLessThan(200_000)
    await expectItemRefused(gateway, { image: base64(bomb) }, 413, 'image_too_large', /20000x20000 pixels/)
    await expectItemRefused(
      gateway,
      { image: base64(hugeHeaderPng(20_000, 20_000)) },
      413,
      'image_too_large',
      /at most \d+ pixels are allowed/,
    )
  })

  it('a truncated JPEG fails in the backend decoder as a 4xx for that item', async () => {
    const pair = canaries()
    usedCanaries.push({ target: gateway, input: pair })
    const response = await post(gateway, { input: [...pair, { image: base64(truncatedJpeg()) }] })
    const body = (await response.json()) as ErrorBody
    expect(response.status, body.error.message).toBeGreaterThanOrEqual(400)
    expect(response.status).toBeLessThan(500)
    expect(body.error.param).toBe('input[2]')
    expect(body.error.message).toMatch(/^input\[2\]: ./)
  })

  it('a 1x1 image is fine', async () => {
    const response = await post(gateway, { input: [{ image: dataUri(solidPng(1, 1, [200, 100, 50])) }] })
    expect(response.status).toBe(200)
    expect(response.headers.get('x-edgeclip-route')).toBe('backend')
  })
})

describe('image URLs', () => {
  it.each([
    ['loopback', () => `${images.url}/cat.png`],
    ['localhost by name (checked after DNS)', () => `http://localhost:${images.port}/cat.png`],
    ['private', () => 'http://10.20.30.40/cat.png'],
    ['link-local (cloud metadata)', () => 'http://169.254.169.254/latest/meta-data/'],
    ['IPv4-mapped IPv6 loopback', () => `http://[::ffff:127.0.0.1]:${images.port}/cat.png`],
    ['IPv6 unique-local', () => 'http://[fd12:3456::1]/cat.png'],
  ])('refuses %s targets with a 400', async (_label, url) => {
    await expectItemRefused(gateway, { image: url() }, 400, 'image_url_forbidden', /./)
    expect(images.requests).toHaveLength(0)
  })

  it('re-checks the target of every redirect', async () => {
    await expectItemRefused(fetching, { image: `${redirector.url}/go` }, 400, 'image_url_forbidden', /./)
    expect(redirector.requests.length).toBeGreaterThan(0)
    expect(images.requests).toHaveLength(0)
  })

  it('gives up on a slow-drip image server at the fetch deadline', async () => {
    await expectItemRefused(fetching, { image: `${drip.url}/slow.png` }, 422, 'image_fetch_timeout', /./)
  })
})

describe('after all of the above', () => {
  it('the gateway still serves, and nothing from a failed request was cached', async () => {
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200)
    await Promise.all([gateway.gateway.idle(), fetching.gateway.idle()])
    expect(usedCanaries.length).toBeGreaterThan(10)
    for (const { target, input } of usedCanaries) {
      const response = await post(target, { input })
      expect(response.status).toBe(200)
      expect(response.headers.get('x-edgeclip-cache'), input[0]).toBe('miss')
    }
    // The same inputs are cached now: the check above could have seen a hit.
    await gateway.gateway.idle()
    const again = await post(gateway, { input: usedCanaries[0]!.input })
    expect(again.headers.get('x-edgeclip-cache')).toBe('hit')
  }, 120_000)
})
