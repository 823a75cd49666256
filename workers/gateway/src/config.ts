// Service limits and policies shared by every host. Hosts build one from their env; tests override parts.
import type { RateLimits } from './ports'

export interface GatewayConfig {
  /** Most inputs per /v1/embeddings call (OpenAI's limit is 2048). */
  maxInputs: number
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number
  /** Texts of at most this many tokens ([CLS] and [SEP] included) go to the edge tower when one is loaded. */
  edgeMaxTokens: number
  /** Items per edge tower call; smaller batches pad less and keep memory flat on Workers. */
  edgeBatchSize: number
  /** Edge batches that run at once per tower, and that may wait; past that, texts go to the backend (or 503). */
  edgeMaxRunning: number
  edgeMaxWaiting: number
  /** How long the gateway waits for one backend batch before answering 504. */
  backendTimeoutMs: number
  /**
   * How long the edge path (every edge batch of one request) may take before its texts go to the
   * backend instead (504 without one): a stuck part Worker must not hold a request for the
   * backend's whole deadline.
   */
  edgeTimeoutMs: number
  /** Limits for keys without their own, and for every caller when auth is off. */
  defaultLimits: RateLimits
  /** Largest decoded image (width x height) accepted from data URIs and base64. */
  maxImagePixels: number
  /** Largest image accepted inline (data URI or base64), in decoded bytes. */
  maxImageBytes: number
  /** Tokens an image counts for in `usage` and rate limits. */
  imageTokens: number
  /**
   * Browser origins allowed to call /v1 (CORS). Empty: CORS off, so no browser page can read a
   * response; `['*']`: any origin (keys travel in a header, never in cookies).
   */
  corsOrigins: readonly string[]
}

export const defaultGatewayConfig: GatewayConfig = {
  maxInputs: 2048,
  maxBodyBytes: 32 * 1024 * 1024,
  // Up to 16 tokens the edge tower answers within a backend round trip; at 32 it costs ~2x that
  // (docs/edge-tower.md, "Routing threshold N").
  edgeMaxTokens: 16,
  edgeBatchSize: 16,
  edgeMaxRunning: 2,
  edgeMaxWaiting: 64,
  backendTimeoutMs: 30_000,
  // Long enough for a cold part chain to read its files and build its sessions; far under the backend's.
  edgeTimeoutMs: 10_000,
  defaultLimits: { requestsPerMinute: 600, tokensPerMinute: 1_000_000 },
  maxImagePixels: 50_000_000,
  maxImageBytes: 20 * 1024 * 1024,
  imageTokens: 0,
  corsOrigins: [],
}

// Workers isolates hold 128 MB; issue 11 keeps each at most 110 MiB at its worst, measured in
// workerd by bench/edge-fit (bench/results/edge-fit.json, docs/edge-tower.md):

/**
 * The Workers gateway's in-isolate L1 in front of KV: ~10,900 jina-clip-v1 rows, 43 MiB of
 * isolate when full.
 */
export const WORKERS_L1_CACHE_BYTES = 32 * 1024 * 1024

/**
 * The Workers gateway's body limit. Parsing and tokenizing a body costs several times its size:
 * 8 MiB takes the gateway's isolate from 43 to 72 MiB with its L1 full; 32 MiB (Node's) cannot fit.
 */
export const WORKERS_MAX_BODY_BYTES = 8 * 1024 * 1024

/**
 * The highest EDGECLIP_EDGE_MAX_TOKENS the Workers gateway accepts: the part holding the table
 * reaches 108 MiB on a full batch of 16 × 32 tokens and 125 MiB at 16 × 64.
 */
export const WORKERS_EDGE_MAX_TOKENS_LIMIT = 32

/** EDGECLIP_CORS_ORIGINS: empty or unset (off), `*`, or comma-separated origins. */
export function parseCorsOrigins(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '')
}

export function resolveGatewayConfig(overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  return {
    ...defaultGatewayConfig,
    ...overrides,
    defaultLimits: { ...defaultGatewayConfig.defaultLimits, ...overrides.defaultLimits },
  }
}
