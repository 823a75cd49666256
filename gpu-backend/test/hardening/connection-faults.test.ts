// A gateway's connection going wrong, against a real backend over real sockets: a refused upload must
// not poison the keep-alive connection the gateway reuses, an upload cut off midway is the client's
// doing (not a 500), a request the gateway gave up on must not keep its items queued or its images
// waiting for a decode thread, and a stalled upload must not hold its socket for minutes.
import { connect } from 'node:net'
import {
  BACKEND_BATCH_PATH,
  BACKEND_REQUEST_TYPE,
  type BackendItem,
  encodeBackendRequest,
  fixtureModelSpec,
} from '@edgeclip/core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningBackend } from '../../src'
import {
  metricValue,
  noiseImage,
  postBatch,
  SECRET,
  scrapeMetrics,
  startFixtureBackend,
  textIds,
} from '../backend-test-support'

const MAX_REQUEST_BYTES = 256 * 1024
const frame = (items: BackendItem[]) => encodeBackendRequest({ model: fixtureModelSpec.id, items })

/** Polls /metrics until `series` reaches `value`; the suite's timeout is the hang guard. */
async function waitForMetric(url: string, series: string, value: number): Promise<void> {
  for (;;) {
    if (metricValue(await scrapeMetrics(url), series) === value) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

describe('a refused or broken upload', () => {
  let backend: RunningBackend
  beforeAll(async () => {
    backend = await startFixtureBackend({ MAX_REQUEST_BYTES: String(MAX_REQUEST_BYTES) })
  })
  afterAll(() => backend?.close())

  const refusals: [string, Record<string, string>, Uint8Array][] = [
    ['413 (declared length over the limit)', {}, new Uint8Array(MAX_REQUEST_BYTES + 1)],
    ['415 (wrong content type)', { 'content-type': 'text/plain' }, new Uint8Array(64 * 1024)],
  ]
  for (const [name, headers, body] of refusals) {
    it(`answers ${name} with connection: close, and the next requests succeed`, async () => {
      const response = await fetch(`${backend.url}${BACKEND_BATCH_PATH}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SECRET}`, 'content-type': BACKEND_REQUEST_TYPE, ...headers },
        body: body as Uint8Array<ArrayBuffer>,
      })
      await response.arrayBuffer()
      expect(response.status).toBeGreaterThanOrEqual(400)
      expect(response.status).toBeLessThan(500)
      // The body was never read: a kept-alive socket would be destroyed under the next request.
      expect(response.headers.get('connection')).toBe('close')
      for (let round = 0; round < 3; round++) {
        const next = await postBatch(backend.url, [{ kind: 'text', ids: textIds(round, 6) }])
        expect(next.status).toBe(200)
      }
    })
  }

  it('cut off mid-upload is counted as the client going away (499), not a 500', async () => {
    const whole = frame([
      { kind: 'text', ids: textIds(1, 6) },
      { kind: 'image', bytes: await noiseImage(1) },
    ])
    const { port, hostname } = new URL(backend.url)
    const before = await scrapeMetrics(backend.url)
    const cuts = [8, Math.floor(whole.length / 2), whole.length - 1]
    for (const cut of cuts) {
      await new Promise<void>((resolve, reject) => {
        const socket = connect(Number(port), hostname, () => {
          socket.write(
            `POST ${BACKEND_BATCH_PATH} HTTP/1.1\r\nhost: backend\r\nauthorization: Bearer ${SECRET}\r\n` +
              `content-type: ${BACKEND_REQUEST_TYPE}\r\ncontent-length: ${whole.length}\r\n\r\n`,
          )
          socket.end(whole.subarray(0, cut), () => {
            socket.destroy()
            resolve()
          })
        })
        socket.on('error', reject)
      })
    }
    const series = 'edgeclip_backend_requests_total{status="499"}'
    await waitForMetric(backend.url, series, metricValue(before, series) + cuts.length)
    expect(await scrapeMetrics(backend.url)).not.toContain('edgeclip_backend_requests_total{status="500"}')
    expect((await postBatch(backend.url, [{ kind: 'text', ids: textIds(2, 6) }])).status).toBe(200)
  })
})

describe('a client that gives up while its items wait', () => {
  let backend: RunningBackend
  // Items wait ten minutes for company: only a full batch, an abort or shutdown moves them.
  beforeAll(async () => {
    backend = await startFixtureBackend({ BATCH_MAX_WAIT_MS: '600000', BATCH_MAX_TEXTS: '64' })
  })
  afterAll(() => backend?.close())

  it('takes them out of the queue, and later requests are served without them', async () => {
    const depth = 'edgeclip_backend_queue_depth{tower="text"}'
    for (let round = 0; round < 5; round++) {
      const controller = new AbortController()
      const abandoned = fetch(`${backend.url}${BACKEND_BATCH_PATH}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SECRET}`, 'content-type': BACKEND_REQUEST_TYPE },
        body: frame([
          { kind: 'text', ids: textIds(round, 6) },
          { kind: 'text', ids: textIds(round + 1, 7) },
        ]) as Uint8Array<ArrayBuffer>,
        signal: controller.signal,
      }).catch((error: unknown) => error)
      await waitForMetric(backend.url, depth, 2)
      controller.abort()
      expect(await abandoned).toBeInstanceOf(Error)
      await waitForMetric(backend.url, depth, 0)
    }
    const before = await scrapeMetrics(backend.url)
    // 64 texts fill a batch, so this one runs without the ten-minute wait; none of the abandoned
    // items may ride along or take a slot.
    const items = Array.from(
      { length: 64 },
      (_, index): BackendItem => ({ kind: 'text', ids: textIds(index, 5) }),
    )
    const served = await postBatch(backend.url, items)
    expect(served.status).toBe(200)
    expect(served.result!.items.every((item) => item.ok)).toBe(true)
    const after = await scrapeMetrics(backend.url)
    const sizeSum = 'edgeclip_backend_batch_size_sum{tower="text"}'
    expect(metricValue(after, sizeSum) - metricValue(before, sizeSum)).toBe(64)
  })
})

describe('a client that gives up while its images decode', () => {
  let backend: RunningBackend
  beforeAll(async () => {
    backend = await startFixtureBackend({ IMAGE_THREADS: '1' })
  })
  afterAll(() => backend?.close())

  it('has the images not yet started dropped, so the decode thread moves on to other requests', async () => {
    const background = { r: 20, g: 140, b: 90 }
    const large = new Uint8Array(
      await sharp({ create: { width: 2000, height: 2000, channels: 3, background } })
        .jpeg()
        .toBuffer(),
    )
    const controller = new AbortController()
    const abandoned = fetch(`${backend.url}${BACKEND_BATCH_PATH}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SECRET}`, 'content-type': BACKEND_REQUEST_TYPE },
      body: frame(
        Array.from({ length: 16 }, () => ({ kind: 'image' as const, bytes: large })),
      ) as Uint8Array<ArrayBuffer>,
      signal: controller.signal,
    }).catch((error: unknown) => error)
    for (;;) {
      if (metricValue(await scrapeMetrics(backend.url), 'edgeclip_backend_decode_queue_depth') >= 8) break
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    controller.abort()
    expect(await abandoned).toBeInstanceOf(Error)
    await waitForMetric(backend.url, 'edgeclip_backend_decode_queue_depth', 0)
    const metrics = await scrapeMetrics(backend.url)
    expect(metricValue(metrics, 'edgeclip_backend_decodes_cancelled_total')).toBeGreaterThan(0)
    const next = await postBatch(backend.url, [{ kind: 'image', bytes: await noiseImage(5) }])
    expect(next.status).toBe(200)
    expect(next.result!.items[0]!.ok).toBe(true)
  })
})

describe('a stalled upload', () => {
  let backend: RunningBackend
  beforeAll(async () => {
    backend = await startFixtureBackend({ REQUEST_TIMEOUT_MS: '1000' })
  })
  afterAll(() => backend?.close())

  it('is answered 408 and its socket closed once REQUEST_TIMEOUT_MS has passed, not held for minutes', async () => {
    const { port, hostname } = new URL(backend.url)
    const answer = await new Promise<string>((resolve, reject) => {
      let received = ''
      const socket = connect(Number(port), hostname, () => {
        socket.write(
          `POST ${BACKEND_BATCH_PATH} HTTP/1.1\r\nhost: backend\r\nauthorization: Bearer ${SECRET}\r\n` +
            `content-type: ${BACKEND_REQUEST_TYPE}\r\ncontent-length: 100000\r\n\r\nECB1`,
        )
      })
      // A byte now and then: the socket never idles, the body never completes.
      const drip = setInterval(() => socket.write('x'), 100)
      socket.on('data', (chunk) => {
        received += chunk
      })
      socket.on('close', () => {
        clearInterval(drip)
        resolve(received)
      })
      socket.on('error', (error) => {
        clearInterval(drip)
        if (received) resolve(received)
        else reject(error)
      })
    })
    expect(answer).toMatch(/^HTTP\/1\.1 408/)
    expect((await postBatch(backend.url, [{ kind: 'text', ids: textIds(1, 6) }])).status).toBe(200)
  })
})
