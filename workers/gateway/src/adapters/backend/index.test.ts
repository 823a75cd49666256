import type { BackendItem } from '@edgeclip/core'
import { BACKEND_REQUEST_TYPE, decodeBackendRequest } from '@edgeclip/core'
import { afterEach, describe, expect, it } from 'vitest'
import { expectEdgeclipError } from '../testing/expect-edgeclip-error'
import { CircuitBreaker, HttpBackend } from '.'
import {
  BACKEND_BATCH_PATH,
  type BackendServer,
  expectedVector,
  type Mode,
  startBackendServer,
} from './backend-server.test-support'

const items: BackendItem[] = [
  { kind: 'text', ids: [101, 2000, 102] },
  { kind: 'image', bytes: new Uint8Array([1, 2, 3]) },
  { kind: 'image', bytes: new Uint8Array(0) },
  { kind: 'text', ids: [101, 102] },
]

describe('HttpBackend', () => {
  const servers: BackendServer[] = []
  const start = async (mode?: Mode) => {
    const server = await startBackendServer(mode)
    servers.push(server)
    return server
  }
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()))
  })

  it('posts one frame and returns one result per item, in order, with timings', async () => {
    const server = await start()
    const backend = new HttpBackend({ url: `${server.url}/`, secret: 's3cret' })
    const result = await backend.embedBatch('jina-clip-v1', items, { requestId: 'req-1', revision: 'r1' })
    expect(result.items).toEqual([
      { ok: true, vector: expectedVector(items[0]!) },
      { ok: true, vector: expectedVector(items[1]!) },
      { ok: false, status: 422, code: 'invalid_image', message: 'empty image' },
      { ok: true, vector: expectedVector(items[3]!) },
    ])
    expect(result.timings).toEqual({ inference: 1.5 })
    const [batch] = server.batches
    expect(batch?.path).toBe(BACKEND_BATCH_PATH)
    expect(batch?.headers).toMatchObject({
      authorization: 'Bearer s3cret',
      'content-type': BACKEND_REQUEST_TYPE,
      'x-request-id': 'req-1',
    })
    // The backend checks the revision, so vectors from other weights never come back.
    expect(decodeBackendRequest(batch!.body)).toMatchObject({ model: 'jina-clip-v1', revision: 'r1' })
  })

  it('sends Modal proxy-auth headers when configured', async () => {
    const server = await start()
    await new HttpBackend({ url: server.url, modalKey: 'wk-1', modalSecret: 'ws-1' }).embedBatch('m', items)
    expect(server.batches[0]?.headers).toMatchObject({ 'modal-key': 'wk-1', 'modal-secret': 'ws-1' })
    expect(server.batches[0]?.headers.authorization).toBeUndefined()
  })

  it('turns garbage and wrong row counts into 502 backend_protocol_error', async () => {
    const garbage = await start('garbage')
    await expectEdgeclipError(
      new HttpBackend({ url: garbage.url }).embedBatch('m', items),
      502,
      'backend_protocol_error',
    )
    const wrongRows = await start('wrong-rows')
    const error = await expectEdgeclipError(
      new HttpBackend({ url: wrongRows.url }).embedBatch('m', items),
      502,
      'backend_protocol_error',
    )
    expect(error.message).toContain('answered 3 items for 4')
  })

  it('gives 504 backend_timeout past the deadline and does not resend the batch', async () => {
    const server = await start('hang')
    await expectEdgeclipError(
      new HttpBackend({ url: server.url, timeoutMs: 200 }).embedBatch('m', items),
      504,
      'backend_timeout',
    )
    expect(server.batches).toHaveLength(1)
  })

  it('retries once after a dropped connection, then succeeds', async () => {
    const server = await start('reset-first-connection')
    const result = await new HttpBackend({ url: server.url }).embedBatch('m', items)
    expect(result.items).toHaveLength(4)
    expect(server.connections).toBe(2)
    expect(server.batches).toHaveLength(1)
  })

  it('gives 503 backend_unavailable when nothing listens', async () => {
    const server = await start()
    await server.close()
    await expectEdgeclipError(
      new HttpBackend({ url: server.url }).embedBatch('m', items),
      503,
      'backend_unavailable',
    )
  })

  it('maps backend answers: 503 keeps its retry-after, 401 is a gateway misconfiguration', async () => {
    const overloaded = await start('overloaded')
    const error = await expectEdgeclipError(
      new HttpBackend({ url: overloaded.url }).embedBatch('m', items),
      503,
      'backend_overloaded',
    )
    expect(error.retryAfter).toBe(7)
    const unauthorized = await start('unauthorized')
    const authError = await expectEdgeclipError(
      new HttpBackend({ url: unauthorized.url }).embedBatch('m', items),
      502,
      'backend_auth_failed',
    )
    expect(authError.message).toContain('bad secret')
  })

  it('opens the breaker after consecutive failures, answers 503 at once, then lets one trial through', async () => {
    const server = await start('error-500')
    let now = 0
    const breaker = new CircuitBreaker({ failureThreshold: 2, coolDownMs: 10_000, now: () => now })
    const backend = new HttpBackend({ url: server.url, breaker })
    await expectEdgeclipError(backend.embedBatch('m', items), 502, 'backend_error')
    await expectEdgeclipError(backend.embedBatch('m', items), 502, 'backend_error')
    expect(breaker.state).toBe('open')
    now = 4_000
    const open = await expectEdgeclipError(backend.embedBatch('m', items), 503, 'backend_unavailable')
    expect(open.retryAfter).toBe(6)
    expect(server.batches).toHaveLength(2)
    expect(await backend.ready()).toBe(false)
    now = 10_000
    expect(breaker.state).toBe('half-open')
    server.mode = 'good'
    expect((await backend.embedBatch('m', items)).items).toHaveLength(4)
    expect(breaker.state).toBe('closed')
  })

  it('does not count overload answers or caller aborts as failures', async () => {
    const server = await start('overloaded')
    const breaker = new CircuitBreaker({ failureThreshold: 1 })
    const backend = new HttpBackend({ url: server.url, breaker })
    await expectEdgeclipError(backend.embedBatch('m', items), 503, 'backend_overloaded')
    server.mode = 'hang'
    const controller = new AbortController()
    const reason = new Error('client gone')
    const pending = backend.embedBatch('m', items, { signal: controller.signal })
    setTimeout(() => controller.abort(reason), 50)
    await expect(pending).rejects.toBe(reason)
    expect(breaker.state).toBe('closed')
  })

  it('identity(): asks /readyz once, then follows what each answer carries (a redeploy)', async () => {
    const server = await start()
    const backend = new HttpBackend({ url: server.url })
    expect(await backend.identity()).toEqual(server.identity)
    expect(await backend.identity()).toEqual(server.identity)
    expect(server.readyzHits).toBe(1)
    const fp16 = { text: { weights: 'b'.repeat(64), numerics: 'fp16/onnxruntime-node-cuda' } }
    server.identity = fp16
    const result = await backend.embedBatch('jina-clip-v1', items)
    expect(result.identity).toEqual(fp16)
    expect(await backend.identity()).toEqual(fp16)
    expect(server.readyzHits).toBe(1)
  })

  it('identity() is undefined while the backend cannot say, and asks again later', async () => {
    const server = await start()
    server.ready = false
    const backend = new HttpBackend({ url: server.url })
    expect(await backend.identity()).toBeUndefined()
    server.ready = true
    expect(await backend.identity()).toEqual(server.identity)
  })

  it('ready() reflects /readyz and never throws', async () => {
    const server = await start()
    const backend = new HttpBackend({ url: server.url })
    expect(await backend.ready()).toBe(true)
    server.ready = false
    expect(await backend.ready()).toBe(false)
    await server.close()
    expect(await backend.ready()).toBe(false)
  })
})

describe('CircuitBreaker', () => {
  it('re-opens when the half-open trial fails and admits one trial at a time', async () => {
    let now = 0
    const breaker = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 1_000, now: () => now })
    const fail = () => Promise.reject(new Error('down'))
    await expect(breaker.run(fail)).rejects.toThrow('down')
    expect(breaker.state).toBe('open')
    now = 1_000
    let release: () => void = () => {}
    const trial = breaker.run(() => new Promise<void>((resolve) => (release = resolve)))
    await expectEdgeclipError(
      breaker.run(async () => 'second'),
      503,
      'backend_unavailable',
    )
    release()
    await trial
    expect(breaker.state).toBe('closed')
    await expect(breaker.run(fail)).rejects.toThrow('down')
    expect(breaker.state).toBe('open')
  })
})
