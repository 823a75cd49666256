// Issue 7, item 2: each backend and cache fault has one defined answer (docs/security.md, "Faults"),
// met over real sockets: the Node gateway -> a fault proxy -> the real GPU backend process.
import { fixtureModelSpec } from '@edgeclip/core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { LruEmbeddingCache, TieredEmbeddingCache } from '../../src/adapters'
import { dataUri, solidPng } from '../node/support/png'
import { fixtureModel, startTestGateway, type TestGateway } from '../node/support/test-gateway'
import { type RealBackend, startRealBackend } from '../support/real-backend'
import { type FaultProxy, startFaultProxy } from './support/fault-proxy'

type ErrorBody = { error: { message: string; code: string; param: string | null } }

let backend: RealBackend
let proxy: FaultProxy
let gateway: TestGateway
/** Only for the hang case: every other call keeps the default deadline, so slow CI stays green. */
let impatient: TestGateway
const gateways: TestGateway[] = []
let imageCount = 0

beforeAll(async () => {
  backend = await startRealBackend()
  proxy = await startFaultProxy(backend.url, fixtureModelSpec.dimensions)
  gateway = await startTestGateway({
    BACKEND_URL: proxy.url,
    BACKEND_SECRET: backend.secret,
    EDGECLIP_AUTH: 'off',
  })
  impatient = await startTestGateway({
    BACKEND_URL: proxy.url,
    BACKEND_SECRET: backend.secret,
    EDGECLIP_AUTH: 'off',
    EDGECLIP_BACKEND_TIMEOUT_MS: '1000',
  })
  gateways.push(gateway, impatient)
})

afterAll(async () => {
  await Promise.all(gateways.map((each) => each.close()))
  await proxy?.close()
  await backend?.stop()
  await (await fixtureModel()).edgeTower!().then((tower) => tower.release())
})

/** A short text (edge) and a fresh image (backend, never cached before). */
function mixedInput() {
  imageCount++
  return ['a short text', { image: dataUri(solidPng(3, 3, [imageCount, 40, 80])) }]
}

const post = (target: TestGateway, input: unknown) =>
  fetch(`${target.url}/v1/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input }),
  })

async function expectFault(status: number, code: string, target = gateway) {
  const response = await post(target, mixedInput())
  const body = (await response.json()) as ErrorBody
  expect([response.status, body.error.code], body.error.message).toEqual([status, code])
  if (status === 503) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0)
  expect(body.error.message).not.toMatch(/\bat .+:\d+:\d+/)
  return body
}

/** After every fault the next good request is served (this also keeps the circuit closed). */
async function expectRecovered() {
  proxy.fault = 'none'
  const response = await post(gateway, mixedInput())
  expect(response.status).toBe(200)
  expect(response.headers.get('x-edgeclip-route')).toBe('mixed')
}

describe('backend faults', () => {
  it('garbage instead of a frame: 502 backend_protocol_error', async () => {
    proxy.fault = 'garbage'
    await expectFault(502, 'backend_protocol_error')
    await expectRecovered()
  })

  it('the wrong number of rows: 502 backend_protocol_error, never a shifted answer', async () => {
    proxy.fault = 'drop-row'
    await expectFault(502, 'backend_protocol_error')
    await expectRecovered()
  })

  it('an HTTP 500 from the backend: 502 backend_error that names the upstream status', async () => {
    proxy.fault = 'http-500'
    const body = await expectFault(502, 'backend_error')
    expect(body.error.message).toMatch(/HTTP 500/)
    await expectRecovered()
  })

  it('a connection dropped mid-batch (backend restarting): one retry, then served', async () => {
    proxy.fault = 'reset-once'
    const before = proxy.batchCalls
    const response = await post(gateway, mixedInput())
    expect(response.status).toBe(200)
    expect(proxy.batchCalls - before).toBe(2)
  })

  it('a backend that never answers: 504 backend_timeout at the gateway deadline', async () => {
    proxy.fault = 'hang'
    await expectFault(504, 'backend_timeout', impatient)
    await expectRecovered()
  })

  it('the backend process down: 503 for the items that need it, edge texts still served; back after a restart', async () => {
    await backend.stop()
    await expectFault(503, 'backend_unavailable')
    const edgeOnly = await post(gateway, ['still served on the edge'])
    expect([edgeOnly.status, edgeOnly.headers.get('x-edgeclip-route')]).toEqual([200, 'edge'])
    backend = await startRealBackend({ BACKEND_SECRET: backend.secret })
    proxy.target = backend.url
    await expectRecovered()
    // Starting a backend process inside the test: minutes, not seconds, on a loaded CI machine.
  }, 180_000)
})

describe('other faults', () => {
  it('rows of the wrong width: 503 backend_protocol_error, nothing served or cached from them', async () => {
    const narrow = await startTestGateway(
      { BACKEND_URL: 'off', EDGECLIP_AUTH: 'off', EDGECLIP_EDGE: 'off' },
      {
        backend: {
          name: 'narrow',
          embedBatch: async (_model, items) => ({
            items: items.map(() => ({ ok: true as const, vector: new Float32Array(3) })),
          }),
          ready: async () => true,
        },
      },
    )
    gateways.push(narrow)
    const response = await post(narrow, ['too narrow'])
    const body = (await response.json()) as ErrorBody
    expect([response.status, body.error.code]).toEqual([503, 'backend_protocol_error'])
    expect(body.error.message).toMatch(`3 dimensions instead of ${fixtureModelSpec.dimensions}`)
  })

  it('a rate limiter store that fails: served unlimited, with a warning in the logs', async () => {
    const unlimited = await startTestGateway(
      { BACKEND_URL: 'off', EDGECLIP_AUTH: 'off' },
      {
        rateLimiter: {
          check: async () => {
            throw new Error('durable object unreachable')
          },
        },
      },
    )
    gateways.push(unlimited)
    const warnings: string[] = []
    const spy = vi.spyOn(console, 'warn').mockImplementation((...parts) => {
      warnings.push(parts.map(String).join(' '))
    })
    try {
      expect((await post(unlimited, ['limiter down'])).status).toBe(200)
    } finally {
      spy.mockRestore()
    }
    expect(warnings.join('\n')).toMatch(/rate limiter unavailable/)
  })
})

describe('cache faults', () => {
  it('a shared cache tier that is down: served from L1 alone, x-edgeclip-cache-status: degraded', async () => {
    const down = {
      getMany: async () => {
        throw new Error('ECONNREFUSED')
      },
      setMany: async () => {
        throw new Error('ECONNREFUSED')
      },
    }
    const degraded = await startTestGateway(
      { BACKEND_URL: proxy.url, BACKEND_SECRET: backend.secret, EDGECLIP_AUTH: 'off' },
      { cache: new TieredEmbeddingCache(new LruEmbeddingCache({ maxBytes: 1 << 20 }), down) },
    )
    gateways.push(degraded)
    const first = await post(degraded, ['cache tier down'])
    expect(first.status).toBe(200)
    expect(first.headers.get('x-edgeclip-cache-status')).toBe('degraded')
  })

  it('a cache that fails outright: served without cache, x-edgeclip-cache: unavailable', async () => {
    const broken = {
      getMany: async () => {
        throw new Error('disk I/O error')
      },
      setMany: async () => {
        throw new Error('disk I/O error')
      },
    }
    const uncached = await startTestGateway(
      { BACKEND_URL: proxy.url, BACKEND_SECRET: backend.secret, EDGECLIP_AUTH: 'off' },
      { cache: broken },
    )
    gateways.push(uncached)
    const response = await post(uncached, mixedInput())
    expect(response.status, await response.clone().text()).toBe(200)
    expect(response.headers.get('x-edgeclip-cache')).toBe('unavailable')
  })

  it('Redis unreachable (REDIS_URL at a closed port): served, and the header says degraded', async () => {
    const redisDown = await startTestGateway({
      BACKEND_URL: proxy.url,
      BACKEND_SECRET: backend.secret,
      EDGECLIP_AUTH: 'off',
      REDIS_URL: 'redis://127.0.0.1:1',
    })
    gateways.push(redisDown)
    const response = await post(redisDown, ['redis is down'])
    expect(response.status).toBe(200)
    expect(response.headers.get('x-edgeclip-cache-status')).toBe('degraded')
  })
})
