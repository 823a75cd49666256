// The GPU backend over HTTPS: one POST of an ECB1 frame per batch. Auth is a shared bearer secret
// or Modal's proxy-auth headers. Connection failures get one retry; a timeout never does (the
// batch may still be running). A circuit breaker turns a dead backend into immediate 503s.
import {
  BACKEND_BATCH_PATH,
  BACKEND_REQUEST_TYPE,
  BACKEND_RESPONSE_TYPE,
  type Backend,
  type BackendCallOptions,
  type BackendIdentity,
  type BackendItem,
  type BackendResult,
  decodeBackendResponse,
  EdgeclipError,
  encodeBackendRequest,
  parseBackendIdentity,
} from '@edgeclip/core'
import { backendErrors, isBackendHealthy } from './backend-errors'
import { BackendIdentityMemo } from './backend-identity-memo'
import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker'
import { startDeadline } from './deadline'

export interface HttpBackendOptions {
  /** Base URL; the batch path and /readyz are appended to it. */
  url: string
  /** Shared secret sent as `Authorization: Bearer`. */
  secret?: string
  /** Modal proxy auth (`Modal-Key` / `Modal-Secret`) for endpoints deployed with it. */
  modalKey?: string
  modalSecret?: string
  timeoutMs?: number
  readyTimeoutMs?: number
  fetch?: typeof fetch
  breaker?: CircuitBreaker | CircuitBreakerOptions
}

export const DEFAULT_BACKEND_TIMEOUT_MS = 30_000
const CONNECTION_RETRIES = 1

export class HttpBackend implements Backend {
  readonly name = 'http'
  readonly breaker: CircuitBreaker
  #baseUrl: string
  #headers: Record<string, string>
  #timeoutMs: number
  #readyTimeoutMs: number
  #fetch: typeof fetch
  #identity = new BackendIdentityMemo()

  constructor(options: HttpBackendOptions) {
    this.#baseUrl = options.url.replace(/\/+$/, '')
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_BACKEND_TIMEOUT_MS
    this.#readyTimeoutMs = options.readyTimeoutMs ?? Math.min(this.#timeoutMs, 5_000)
    // Bound late: Workers' fetch throws when called with a foreign `this`.
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
    this.breaker =
      options.breaker instanceof CircuitBreaker ? options.breaker : new CircuitBreaker(options.breaker)
    this.#headers = {
      ...(options.secret ? { authorization: `Bearer ${options.secret}` } : {}),
      ...(options.modalKey ? { 'modal-key': options.modalKey } : {}),
      ...(options.modalSecret ? { 'modal-secret': options.modalSecret } : {}),
    }
  }

  embedBatch(
    model: string,
    items: readonly BackendItem[],
    options: BackendCallOptions = {},
  ): Promise<BackendResult> {
    const frame = encodeBackendRequest({
      model,
      ...(options.revision === undefined ? {} : { revision: options.revision }),
      items: [...items],
    })
    const countsAsFailure = (error: unknown) => !options.signal?.aborted && !isBackendHealthy(error)
    return this.breaker.run(() => this.#post(frame, items.length, options), countsAsFailure)
  }

  async ready(options: BackendCallOptions = {}): Promise<boolean> {
    if (this.breaker.state === 'open') return false
    const deadline = startDeadline(this.#readyTimeoutMs, options.signal)
    try {
      return await this.#readyz(deadline.signal)
    } finally {
      deadline.dispose()
    }
  }

  /**
   * GET /readyz with no deadline but `signal`'s: on Modal this request is what boots a container,
   * and it answers once the tower is loaded (ColdStartBackend's probe).
   */
  wake(signal: AbortSignal): Promise<boolean> {
    return this.#readyz(signal)
  }

  async #readyz(signal: AbortSignal): Promise<boolean> {
    try {
      const response = await this.#fetch(`${this.#baseUrl}/readyz`, { headers: this.#headers, signal })
      await response.body?.cancel()
      return response.ok
    } catch {
      return false
    }
  }

  /** From the last answer, else from /readyz (the backend's `identity`); undefined when unknown. */
  identity(options: BackendCallOptions = {}): Promise<BackendIdentity | undefined> {
    return this.#identity.get(async () => {
      if (this.breaker.state === 'open') return undefined
      const deadline = startDeadline(this.#readyTimeoutMs, options.signal)
      try {
        const response = await this.#fetch(`${this.#baseUrl}/readyz`, {
          headers: this.#headers,
          signal: deadline.signal,
        })
        if (!response.ok) {
          await response.body?.cancel()
          return undefined
        }
        return parseBackendIdentity(((await response.json()) as { identity?: unknown }).identity)
      } catch {
        return undefined
      } finally {
        deadline.dispose()
      }
    })
  }

  async #post(frame: Uint8Array, itemCount: number, options: BackendCallOptions): Promise<BackendResult> {
    const deadline = startDeadline(this.#timeoutMs, options.signal)
    try {
      const response = await this.#send(frame, options.requestId, deadline.signal)
      if (response.status === 429 || response.status === 503) {
        await response.body?.cancel()
        throw backendErrors.overloaded(parseRetryAfter(response.headers.get('retry-after')))
      }
      if (!response.ok) throw backendErrors.status(response.status, await errorDetail(response))
      const bytes = new Uint8Array(await response.arrayBuffer())
      try {
        const { items, timings, identity } = decodeBackendResponse(bytes, itemCount)
        this.#identity.learn(identity)
        return { items, ...(timings ? { timings } : {}), ...(identity ? { identity } : {}) }
      } catch (error) {
        throw backendErrors.protocol(error)
      }
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason
      if (deadline.timedOut()) throw backendErrors.timeout(this.#timeoutMs)
      if (error instanceof EdgeclipError) throw error
      throw backendErrors.unreachable(error)
    } finally {
      deadline.dispose()
    }
  }

  /** Sends the frame, retrying once when no response came back for a reason other than the deadline. */
  async #send(frame: Uint8Array, requestId: string | undefined, signal: AbortSignal): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#fetch(`${this.#baseUrl}${BACKEND_BATCH_PATH}`, {
          method: 'POST',
          headers: {
            ...this.#headers,
            'content-type': BACKEND_REQUEST_TYPE,
            accept: BACKEND_RESPONSE_TYPE,
            ...(requestId ? { 'x-request-id': requestId } : {}),
          },
          // encodeBackendRequest allocates a plain ArrayBuffer; the cast only narrows the type.
          body: frame as Uint8Array<ArrayBuffer>,
          signal,
        })
      } catch (error) {
        if (signal.aborted || attempt >= CONNECTION_RETRIES) throw error
      }
    }
  }
}

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined
  const seconds = Number(value)
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds) : undefined
}

async function errorDetail(response: Response): Promise<string> {
  try {
    const text = await response.text()
    const body = JSON.parse(text) as { error?: { message?: unknown } }
    return typeof body.error?.message === 'string' ? body.error.message : text.slice(0, 200)
  } catch {
    return ''
  }
}
