// Options of `new EdgeClip(...)`, their defaults and the environment fallback.

import {
  type EmbeddingStore,
  isEmbeddingStore,
  type MemoryStoreOptions,
  memoryStore,
} from '../core/embedding-store'
import { EdgeClipSDKError } from '../core/errors'
import type { Fetch } from '../core/request'
import { readEnv } from '../internal/env'

/** The gateway's own limit (`maxInputs`, OpenAI's 2048); used when GET /v1/models does not say. */
export const DEFAULT_MAX_BATCH_SIZE = 2048
/** Half the gateway's 32 MiB body limit: room for JSON escaping and multi-byte text. */
export const DEFAULT_MAX_BATCH_BYTES = 16 * 1024 * 1024
export const DEFAULT_TIMEOUT_MS = 60_000
export const DEFAULT_MAX_RETRIES = 2
export const DEFAULT_MAX_CONCURRENCY = 4
/** Where `pnpm start` serves the gateway. */
export const DEFAULT_BASE_URL = 'http://127.0.0.1:8787'

export interface EdgeClipOptions {
  /** Bearer key (`ec_<id>_<secret>`); defaults to EDGECLIP_API_KEY. Omit it for a gateway with auth off. */
  apiKey?: string | undefined
  /** Gateway root, e.g. `https://embed.example.com`; defaults to EDGECLIP_BASE_URL, then http://127.0.0.1:8787. */
  baseURL?: string | undefined
  /** Any WHATWG fetch (undici, a Workers service binding's `fetch`, a test double). */
  fetch?: Fetch | undefined
  /** Per attempt, in milliseconds (default 60 000). */
  timeout?: number | undefined
  /** Retries after the first attempt on 408/409/429/5xx and connection errors (default 2). */
  maxRetries?: number | undefined
  /** Inputs per call; defaults to the server's `max_inputs` (GET /v1/models), else 2048. */
  maxBatchSize?: number | undefined
  /** A batch is closed before its body would pass this many bytes, so image jobs stay under the gateway's body limit (default 16 MiB). */
  maxBatchBytes?: number | undefined
  /** Calls of one split job in flight at once (default 4). */
  maxConcurrency?: number | undefined
  /** Headers sent with every call. */
  defaultHeaders?: Record<string, string> | undefined
  /**
   * Client-side cache (off by default): `true` for an in-memory LRU (10 000 rows, 64 MiB), its
   * bounds, or your own store with `get`/`set`. Repeated inputs then make no call.
   */
  cache?: boolean | MemoryStoreOptions | EmbeddingStore | undefined
}

export interface ResolvedOptions {
  apiKey: string | undefined
  baseURL: string
  fetch: Fetch
  timeout: number
  maxRetries: number
  maxBatchSize: number | undefined
  maxBatchBytes: number
  maxConcurrency: number
  defaultHeaders: Record<string, string>
  cache: EmbeddingStore | undefined
}

export function resolveOptions(options: EdgeClipOptions): ResolvedOptions {
  const fetch = options.fetch ?? defaultFetch()
  return {
    apiKey: options.apiKey ?? readEnv('EDGECLIP_API_KEY'),
    baseURL: options.baseURL ?? readEnv('EDGECLIP_BASE_URL') ?? DEFAULT_BASE_URL,
    fetch,
    timeout: positive('timeout', options.timeout ?? DEFAULT_TIMEOUT_MS),
    maxRetries: atLeastZero('maxRetries', options.maxRetries ?? DEFAULT_MAX_RETRIES),
    maxBatchSize:
      options.maxBatchSize === undefined ? undefined : positive('maxBatchSize', options.maxBatchSize),
    maxBatchBytes: positive('maxBatchBytes', options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES),
    maxConcurrency: positive('maxConcurrency', options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY),
    defaultHeaders: options.defaultHeaders ?? {},
    cache: resolveCache(options.cache),
  }
}

function resolveCache(cache: EdgeClipOptions['cache']): EmbeddingStore | undefined {
  if (cache === undefined || cache === false) return undefined
  if (cache === true) return memoryStore()
  if (isEmbeddingStore(cache)) return cache
  if (cache.maxEntries !== undefined) positive('cache.maxEntries', cache.maxEntries)
  if (cache.maxBytes !== undefined) positive('cache.maxBytes', cache.maxBytes)
  return memoryStore(cache)
}

function defaultFetch(): Fetch {
  if (typeof globalThis.fetch !== 'function') {
    throw new EdgeClipSDKError('no global fetch in this runtime: pass `fetch` to new EdgeClip({ fetch })')
  }
  // Bound, so runtimes that check `this` (browsers, Workers) accept the call.
  return globalThis.fetch.bind(globalThis)
}

function positive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value))
    throw new EdgeClipSDKError(`${name} must be a positive number, got ${value}`)
  return value
}

function atLeastZero(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0)
    throw new EdgeClipSDKError(`${name} must be a whole number >= 0, got ${value}`)
  return value
}
