// Contracts between the gateway's pipeline and its host-specific adapters (Workers, Node).
// Core owns the model-facing ports (EmbeddingCache, KeyStore, Backend); these are the gateway's own.
import type { Backend, EmbeddingCache, KeyStore, ModelSpec, TextTower, TowerIdentity } from '@edgeclip/core'

export interface RateLimitDecision {
  allowed: boolean
  /** Seconds until the caller may retry, when not allowed. */
  retryAfter?: number
  limit?: number
  remaining?: number
}

export interface RateLimiter {
  /** Charges one request and `tokens` tokens to `keyId` for the current window. */
  check(
    keyId: string,
    cost: { requests: number; tokens: number },
    limits: RateLimits,
  ): Promise<RateLimitDecision>
}

export interface RateLimits {
  requestsPerMinute: number
  tokensPerMinute: number
}

export interface FetchedImage {
  bytes: Uint8Array
  /** Real type from magic bytes, e.g. image/png. */
  mimeType: string
  width: number
  height: number
}

/** One image fetch's deadline when a fetcher is not given its own. */
export const DEFAULT_IMAGE_FETCH_TIMEOUT_MS = 10_000

export interface ImageFetcher {
  /** Its deadline for one fetch; a request's URLs get a few of these in all. */
  readonly timeoutMs?: number
  /** Fetches an http(s) URL under the configured limits; throws EdgeclipError (4xx) on violations. */
  fetch(url: string, options?: { signal?: AbortSignal }): Promise<FetchedImage>
}

/** The tokenizer the gateway needs; core's `WordPieceTokenizer` satisfies it. */
export interface TextTokenizer {
  /** Throws EdgeclipError 400 'context_length_exceeded' when too long and `truncate` is not true. */
  encode(
    text: string,
    options?: { maxLength?: number; truncate?: boolean },
  ): { ids: number[]; tokenCount: number; truncated: boolean }
}

/** Everything the Hono app needs, supplied by a host adapter (Workers bindings or Node env). */
export interface GatewayDeps {
  spec: ModelSpec
  /** Tokenizer for `spec` (its vocab ships with the host: a bundled file on Workers, the model dir on Node). */
  tokenizer: TextTokenizer
  /** Undefined only when auth is explicitly off (EDGECLIP_AUTH=off). */
  keyStore: KeyStore | undefined
  rateLimiter: RateLimiter
  cache: EmbeddingCache
  /** The in-process text tower, loaded lazily on first use; undefined when the host has none. */
  edgeTower: (() => Promise<TextTower>) | undefined
  /**
   * What the edge tower computes with (its weights fingerprint or edge build id, and numerics),
   * known without loading it: edge-routed texts are looked up and stored under it. Undefined with no
   * edge tower, or when its identity is unknown (its vectors are then served but never cached).
   */
  edgeIdentity: TowerIdentity | undefined
  backend: Backend | undefined
  imageFetcher: ImageFetcher
  /** Runs work after the response (Workers `ctx.waitUntil`; on Node a tracked promise). */
  waitUntil: (promise: Promise<unknown>) => void
}
