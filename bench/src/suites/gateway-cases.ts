// What the gateway-overhead suite sends: one short text or 16, answered as float or base64, and
// the targets it compares (bare Hono, the gateway's cache tiers, an edge-tower miss).
import type { GatewayTargetOptions } from '../workers/gateway-target-options'

/** The header that picks which recorded gateway response the bare server answers with. */
export const BENCH_CASE_HEADER = 'x-bench-case'

export type Encoding = 'float' | 'base64'

export interface BenchCase {
  name: string
  encoding: Encoding
  inputs: 1 | 16
  body: string
}

/** Short texts (a handful of tokens each), like search queries. */
export const benchTexts = Array.from({ length: 16 }, (_, index) => `a photo of a cat, picture ${index}`)

export const benchCases: BenchCase[] = (['float', 'base64'] as const).flatMap((encoding) =>
  ([1, 16] as const).map((inputs) => ({
    name: `${encoding}-${inputs}`,
    encoding,
    inputs,
    body: JSON.stringify({
      input: inputs === 1 ? benchTexts[0] : benchTexts,
      encoding_format: encoding,
    }),
  })),
)

/**
 * Digits tokenize to real ids in any BERT vocab, so each counter value is its own cache key; short
 * enough (the fixture's vocab splits numbers digit by digit) to stay within the edge's token limit.
 */
export function freshBody(sequence: number, inputs: 1 | 16): string {
  const fresh = (offset: number) => `photo ${sequence * inputs + offset}`
  return JSON.stringify({
    input: inputs === 1 ? fresh(0) : Array.from({ length: inputs }, (_, index) => fresh(index)),
  })
}

export type CacheTier = 'l1' | 'sqlite' | 'redis'

/** A gateway process per tier: auth on in all; L1 off (1 byte) where an L2 tier is measured. */
export function tierOptions(tier: CacheTier, redisUrl?: string): GatewayTargetOptions {
  if (tier === 'l1') return { auth: true, memoryCacheBytes: 256 * 1024 * 1024 }
  return { auth: true, memoryCacheBytes: 1, ...(tier === 'redis' && redisUrl ? { redisUrl } : {}) }
}

export const tierLabels: Record<CacheTier | 'bare' | 'miss' | 'workerd', string> = {
  bare: 'bare Hono on @hono/node-server: reads the body, answers the recorded gateway bytes (no auth, no cache)',
  l1: 'gateway cache hit from L1 (in-process LRU): auth on (SQLite key read per request), rate limit charged, body validated',
  sqlite:
    'gateway cache hit from L2 SQLite (L1 off): auth on, rate limit, one SQLite row read per distinct input',
  redis:
    'gateway cache hit from L2 Redis (L1 off): auth on, rate limit, one Redis MGET per request on loopback',
  workerd:
    'gateway Worker in workerd (wrangler dev --local) cache hit from the isolate L1 (rows seeded in local KV, first request promotes them): auth on (KV key read), rate limit (Durable Object), body validated',
  miss: 'gateway miss: auth on, fresh texts tokenized and run on the edge tower (fixture model, onnxruntime-node fp32), cache write-back',
}
