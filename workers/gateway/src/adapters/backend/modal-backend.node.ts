// The GPU backend through Modal's JS SDK (Node only: it speaks gRPC): looks the deployed function up
// by app and function name and calls it with the ECB1 request frame; the function returns the
// response frame as bytes. Same breaker and error mapping as HttpBackend. Calls are spawned, not
// `remote()`d: the SDK's remote() cannot be cancelled, and a gateway that stops waiting must also
// stop the GPU work it asked for (FunctionCall.cancel). The price: Modal takes spawned arguments
// over its async inline limit (8 KiB by default) through a blob upload, one extra round trip.
import {
  type Backend,
  type BackendCallOptions,
  type BackendIdentity,
  type BackendItem,
  type BackendResult,
  decodeBackendResponse,
  EdgeclipError,
  encodeBackendRequest,
} from '@edgeclip/core'
import { backendErrors } from './backend-errors'
import { BackendIdentityMemo } from './backend-identity-memo'
import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker'
import { startDeadline } from './deadline'
import { DEFAULT_BACKEND_TIMEOUT_MS } from './http-backend'

/** What ModalBackend needs from a Modal `FunctionCall`. */
export interface ModalFunctionCallLike {
  get(params?: { timeoutMs?: number }): Promise<unknown>
  cancel(params?: { terminateContainers?: boolean }): Promise<void>
}

/** What ModalBackend needs from a Modal `Function_`. */
export interface ModalFunctionLike {
  spawn(args?: unknown[], kwargs?: Record<string, unknown>): Promise<ModalFunctionCallLike>
}

export type ModalFunctionLookup = (appName: string, functionName: string) => Promise<ModalFunctionLike>

export interface ModalBackendOptions {
  appName: string
  functionName: string
  /** Default: MODAL_TOKEN_ID / MODAL_TOKEN_SECRET / ~/.modal.toml, as the SDK reads them. */
  tokenId?: string
  tokenSecret?: string
  environment?: string
  timeoutMs?: number
  breaker?: CircuitBreaker | CircuitBreakerOptions
  /** Replaces the SDK lookup (tests, or a pre-built client). */
  lookup?: ModalFunctionLookup
}

export class ModalBackend implements Backend {
  readonly name = 'modal'
  readonly breaker: CircuitBreaker
  #options: ModalBackendOptions
  #timeoutMs: number
  #function: Promise<ModalFunctionLike> | undefined
  // A Modal function has no /readyz to ask: its identity is known from its first answer on.
  #identity = new BackendIdentityMemo()

  constructor(options: ModalBackendOptions) {
    this.#options = options
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_BACKEND_TIMEOUT_MS
    this.breaker =
      options.breaker instanceof CircuitBreaker ? options.breaker : new CircuitBreaker(options.breaker)
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
    return this.breaker.run(
      () => this.#call(frame, items.length, options),
      () => !options.signal?.aborted,
    )
  }

  async ready(): Promise<boolean> {
    if (this.breaker.state === 'open') return false
    try {
      await this.#lookup()
      return true
    } catch {
      return false
    }
  }

  identity(): Promise<BackendIdentity | undefined> {
    return this.#identity.get(async () => undefined)
  }

  /**
   * Spawns an empty batch: Modal boots a container for it if none is warm, and the function answers
   * once its backend is ready (ColdStartBackend's probe). Cancelled when `signal` fires.
   */
  async wake(signal: AbortSignal): Promise<boolean> {
    let spawning: Promise<ModalFunctionCallLike> | undefined
    try {
      const modalFunction = await this.#lookup()
      spawning = modalFunction.spawn([encodeBackendRequest({ model: '', items: [] })])
      const call = await spawning
      const aborted = new Promise<never>((_, reject) => {
        if (signal.aborted) reject(signal.reason)
        signal.addEventListener('abort', () => reject(signal.reason), { once: true })
      })
      await Promise.race([call.get(), aborted])
      return true
    } catch (error) {
      if (signal.aborted) cancelSpawned(spawning)
      // The function ran and raised (the backend refuses a batch naming no model): a container is
      // up and its backend answered, which is all the probe asks.
      return !signal.aborted && isRemoteFailure(error)
    }
  }

  async #call(frame: Uint8Array, itemCount: number, options: BackendCallOptions): Promise<BackendResult> {
    const deadline = startDeadline(this.#timeoutMs, options.signal)
    const startedAt = Date.now()
    const aborted = new Promise<never>((_, reject) => {
      deadline.signal.addEventListener('abort', () => reject(deadline.signal.reason), { once: true })
    })
    aborted.catch(() => {})
    let spawning: Promise<ModalFunctionCallLike> | undefined
    try {
      const modalFunction = await Promise.race([this.#lookup(), aborted])
      spawning = modalFunction.spawn([frame])
      const call = await Promise.race([spawning, aborted])
      const timeoutMs = Math.max(1, this.#timeoutMs - (Date.now() - startedAt))
      const output = await Promise.race([call.get({ timeoutMs }), aborted])
      const bytes = asBytes(output)
      if (bytes === undefined) throw backendErrors.protocol(new Error('the function did not return bytes'))
      try {
        const { items, timings, identity } = decodeBackendResponse(bytes, itemCount)
        this.#identity.learn(identity)
        return { items, ...(timings ? { timings } : {}), ...(identity ? { identity } : {}) }
      } catch (error) {
        throw backendErrors.protocol(error)
      }
    } catch (error) {
      if (deadline.signal.aborted) cancelSpawned(spawning)
      if (options.signal?.aborted) throw options.signal.reason
      if (deadline.timedOut() || isModalTimeout(error)) throw backendErrors.timeout(this.#timeoutMs)
      if (error instanceof EdgeclipError) throw error
      if (isRemoteFailure(error)) throw backendErrors.failed(error)
      throw backendErrors.unreachable(error)
    } finally {
      deadline.dispose()
    }
  }

  #lookup(): Promise<ModalFunctionLike> {
    this.#function ??= (this.#options.lookup ?? sdkLookup(this.#options))(
      this.#options.appName,
      this.#options.functionName,
    ).catch((error: unknown) => {
      this.#function = undefined // retry the lookup next time (e.g. deploy in progress)
      throw error
    })
    return this.#function
  }
}

function sdkLookup(options: ModalBackendOptions): ModalFunctionLookup {
  return async (appName, functionName) => {
    // Imported on first use: the SDK (gRPC, protobufs) is heavy and most Node hosts never need it.
    const { ModalClient } = await import('modal')
    const client = new ModalClient({
      ...(options.tokenId ? { tokenId: options.tokenId } : {}),
      ...(options.tokenSecret ? { tokenSecret: options.tokenSecret } : {}),
      ...(options.environment ? { environment: options.environment } : {}),
    })
    return client.functions.fromName(appName, functionName)
  }
}

/**
 * Stops the GPU work of a call the gateway gave up on (deadline or client gone). Not awaited: the
 * client's answer must not wait for Modal's; a call still being spawned is cancelled once it is.
 */
function cancelSpawned(spawning: Promise<ModalFunctionCallLike> | undefined): void {
  spawning
    ?.then((call) => call.cancel())
    .catch((error: unknown) => console.warn('edgeclip gateway: could not cancel a Modal call:', error))
}

function asBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value
  if (value instanceof ArrayBuffer) return new Uint8Array(value)
  return undefined
}

// By name, not instanceof: the SDK is imported lazily and tests may inject their own functions.
function isModalTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === 'FunctionTimeoutError'
}

/** The function ran and raised (RemoteError), or Modal failed it (InternalFailure). */
function isRemoteFailure(error: unknown): boolean {
  return error instanceof Error && (error.name === 'RemoteError' || error.name === 'InternalFailure')
}
