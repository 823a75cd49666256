// Resilience: which failures are retried, how long the client waits, and the errors callers catch.
import { describe, expect, it } from 'vitest'
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  EdgeClip,
  InternalServerError,
  PermissionDeniedError,
  RateLimitError,
  UnsupportedMediaTypeError,
} from '../../src'
import { requestJSON, type TransportConfig } from '../../src/core/request'
import { retryAfterFromHeaders, retryDelay } from '../../src/core/retry'
import { embeddingsAnswer, errorBody, fakeFetch, json, untilAborted } from '../support/fake-fetch'

const baseURL = 'http://gateway.test'
const noWait = { 'retry-after-ms': '0' }

describe('retries', () => {
  it.each([408, 409, 429, 500, 502, 503, 504])('retries status %i and then succeeds', async (status) => {
    const { fetch, calls } = fakeFetch((call, index) =>
      index < 2 ? json(errorBody('busy', 'busy'), status, noWait) : embeddingsAnswer(call, index),
    )
    const response = await new EdgeClip({ baseURL, fetch }).embedText('1')
    expect(calls).toHaveLength(3)
    expect(response.embeddings).toHaveLength(1)
  })

  it.each([400, 401, 403, 404, 413, 422])('does not retry status %i', async (status) => {
    const { fetch, calls } = fakeFetch(() => json(errorBody('no', 'no'), status, noWait))
    await expect(new EdgeClip({ baseURL, fetch }).embedText('1')).rejects.toMatchObject({ status })
    expect(calls).toHaveLength(1)
  })

  it('gives up after maxRetries and throws the last error, typed', async () => {
    const { fetch, calls } = fakeFetch(() =>
      json(errorBody('slow down', 'rate_limit_exceeded'), 429, { ...noWait, 'x-request-id': 'req-429' }),
    )
    const error = await new EdgeClip({ baseURL, fetch, maxRetries: 3 })
      .embedText('1')
      .catch((caught) => caught)
    expect(calls).toHaveLength(4)
    expect(error).toBeInstanceOf(RateLimitError)
    expect(error).toMatchObject({ status: 429, requestID: 'req-429', code: 'rate_limit_exceeded' })
    expect(error.headers.get('retry-after-ms')).toBe('0')
  })

  it('retries connection errors, then throws APIConnectionError with the cause', async () => {
    const refused = new TypeError('fetch failed')
    const { fetch, calls } = fakeFetch(() => Promise.reject(refused))
    const error = await new EdgeClip({ baseURL, fetch, maxRetries: 1 })
      .embedText('1', { timeout: 5_000 })
      .catch((caught) => caught)
    expect(calls).toHaveLength(2)
    expect(error).toBeInstanceOf(APIConnectionError)
    expect(error.cause).toBe(refused)
  })
})

describe('waiting between attempts', () => {
  const transport = (fetch: TransportConfig['fetch'], waits: number[]): TransportConfig => ({
    baseURL,
    fetch,
    headers: {},
    timeout: 5_000,
    maxRetries: 3,
    random: () => 0.5,
    sleep: async (milliseconds) => {
      waits.push(milliseconds)
    },
  })

  it('honours retry-after-ms, then retry-after in seconds, then backs off exponentially with jitter', async () => {
    const waits: number[] = []
    const answers = [
      json(errorBody('a', 'a'), 503, { 'retry-after-ms': '1234', 'retry-after': '9' }),
      json(errorBody('b', 'b'), 429, { 'retry-after': '2' }),
      json(errorBody('c', 'c'), 500),
      json({ ok: true }),
    ]
    const { fetch } = fakeFetch((_, index) => answers[index]!)
    const response = await requestJSON(transport(fetch, waits), { method: 'GET', path: '/x' })
    expect(response.data).toEqual({ ok: true })
    // Third wait: 500 ms * 2^2, less the pinned jitter (random 0.5 shaves 12.5 %).
    expect(waits).toEqual([1234, 2000, 1750])
  })

  it('backs off from 0.5 s doubling up to 8 s when the server gives no hint', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6].map((retry) => retryDelay(retry, undefined, () => 0))
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000])
    expect(retryDelay(0, undefined, () => 0.999)).toBeGreaterThan(375)
  })

  it('reads retry-after as an HTTP date, and ignores hints it cannot use', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    const headers = (values: Record<string, string>) => new Headers(values)
    expect(retryAfterFromHeaders(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now)).toBe(3000)
    expect(retryAfterFromHeaders(headers({ 'retry-after': 'soon' }), now)).toBeUndefined()
    expect(retryAfterFromHeaders(headers({ 'retry-after-ms': '-5', 'retry-after': '1' }), now)).toBe(1000)
    // An hour-long hint is not worth blocking on: back off instead.
    expect(retryDelay(0, headers({ 'retry-after': '3600' }), () => 0)).toBe(500)
  })
})

describe('errors', () => {
  it.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [415, UnsupportedMediaTypeError],
    [500, InternalServerError],
  ])('maps status %i to its class with the body, request id and headers', async (status, ErrorClass) => {
    const { fetch } = fakeFetch(() =>
      json(errorBody('input[3] is empty', 'empty_input', 'input[3]'), status, { 'x-request-id': 'req-1' }),
    )
    const error = await new EdgeClip({ baseURL, fetch, maxRetries: 0 })
      .embedText('1')
      .catch((caught) => caught)
    expect(error).toBeInstanceOf(ErrorClass)
    expect(error).toMatchObject({ status, requestID: 'req-1', code: 'empty_input', param: 'input[3]' })
    expect(error.message).toBe(`${status} input[3] is empty`)
    expect(error.headers).toBeInstanceOf(Headers)
  })

  it('keeps a non-JSON error body as the message', async () => {
    const { fetch } = fakeFetch(() => new Response('upstream exploded', { status: 502 }))
    const error = await new EdgeClip({ baseURL, fetch, maxRetries: 0 })
      .embedText('1')
      .catch((caught) => caught)
    expect(error).toBeInstanceOf(InternalServerError)
    expect(error.message).toBe('502 upstream exploded')
  })
})

describe('timeouts and aborts', () => {
  it('aborts a stalled attempt after the timeout and throws APIConnectionTimeoutError', async () => {
    const { fetch, calls } = fakeFetch((call) => untilAborted(call.signal))
    const client = new EdgeClip({ baseURL, fetch, timeout: 20, maxRetries: 0 })
    await expect(client.embedText('1')).rejects.toBeInstanceOf(APIConnectionTimeoutError)
    expect(calls[0]!.signal?.aborted).toBe(true)
  })

  it("honours the caller's signal mid-request, without retrying", async () => {
    const { fetch, calls } = fakeFetch((call) => untilAborted(call.signal))
    const controller = new AbortController()
    const pending = new EdgeClip({ baseURL, fetch }).embedText('1', { signal: controller.signal })
    setTimeout(() => controller.abort(), 5)
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError)
    expect(calls).toHaveLength(1)
  })

  it('aborts during a backoff wait instead of waiting it out', async () => {
    const { fetch, calls } = fakeFetch(() => json(errorBody('busy', 'busy'), 503, { 'retry-after': '30' }))
    const controller = new AbortController()
    const pending = new EdgeClip({ baseURL, fetch }).embedText('1', { signal: controller.signal })
    setTimeout(() => controller.abort(), 20)
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError)
    expect(calls).toHaveLength(1)
  })

  it('does not call the server when the signal is already aborted', async () => {
    const { fetch, calls } = fakeFetch((call) => embeddingsAnswer(call))
    const client = new EdgeClip({ baseURL, fetch, maxBatchSize: 1 })
    await expect(client.embedText(['1', '2'], { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      APIUserAbortError,
    )
    expect(calls).toHaveLength(0)
  })
})
