// Per-key limits shared by every Node gateway replica (REDIS_URL): the same sliding window as
// sliding-window.ts, charged by one Lua script so that read, decide and charge are atomic across
// replicas, on Redis's clock (replicas' clocks may disagree). Hand-written rather than
// rate-limiter-flexible: that library limits one quantity per call, and a request here must fit
// two budgets (requests and tokens) at once, charging neither when either is full.
import { createHash } from 'node:crypto'
import { EdgeclipError } from '@edgeclip/core'
import type { RateLimitDecision, RateLimiter, RateLimits } from '../../ports'
import { createStringRedisConnection } from '../redis/redis-connection.node.js'
import { MemoryRateLimiter } from './memory-rate-limiter'
import { chargeWindow, RATE_LIMIT_WINDOW_MS, type RateLimitCost } from './sliding-window'

/**
 * What a replica does while Redis cannot be reached: 'open' limits each replica on its own (a key
 * may then get up to N times its limit across N replicas); 'closed' answers 503 with retry-after.
 */
export type RateLimitFailureMode = 'open' | 'closed'
export const DEFAULT_RATE_LIMIT_FAILURE_MODE: RateLimitFailureMode = 'open'

export interface RedisRateLimiterOptions {
  prefix?: string
  connectTimeoutMs?: number
  onRedisError?: RateLimitFailureMode
  /** Used while Redis is down in 'open' mode; default an in-process sliding window. */
  fallback?: RateLimiter
  /** Seconds a client is told to wait in 'closed' mode. */
  retryAfterSeconds?: number
}

// KEYS[1] the key's window hash; ARGV cost requests, cost tokens, limit requests, limit tokens,
// window ms. Returns the verdict, Redis's time and the window state before this charge.
const CHARGE_WINDOW_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window = tonumber(ARGV[5])
local start = now - (now % window)
local stored = redis.call('HMGET', KEYS[1], 'ws', 'pr', 'pt', 'cr', 'ct')
local ws = tonumber(stored[1]) or start
local pr, pt = tonumber(stored[2]) or 0, tonumber(stored[3]) or 0
local cr, ct = tonumber(stored[4]) or 0, tonumber(stored[5]) or 0
if ws ~= start then
  if start - ws == window then pr, pt = cr, ct else pr, pt = 0, 0 end
  cr, ct, ws = 0, 0, start
end
local overlap = 1 - (now - ws) / window
local costR, costT = tonumber(ARGV[1]), tonumber(ARGV[2])
local fits = pr * overlap + cr + costR <= tonumber(ARGV[3]) + 1e-9
  and pt * overlap + ct + costT <= tonumber(ARGV[4]) + 1e-9
if fits then
  redis.call('HSET', KEYS[1], 'ws', ws, 'pr', pr, 'pt', pt, 'cr', cr + costR, 'ct', ct + costT)
  redis.call('PEXPIRE', KEYS[1], 2 * window)
end
return { fits and 1 or 0, now, ws, pr, pt, cr, ct }
`
const CHARGE_WINDOW_SHA = createHash('sha1').update(CHARGE_WINDOW_SCRIPT).digest('hex')

export class RedisRateLimiter implements RateLimiter {
  #connection: ReturnType<typeof createStringRedisConnection>
  #prefix: string
  #mode: RateLimitFailureMode
  #fallback: RateLimiter
  #retryAfterSeconds: number
  /** The last Redis failure, until a charge succeeds again (for logs and readiness). */
  lastError: unknown

  constructor(url: string, options: RedisRateLimiterOptions = {}) {
    this.#connection = createStringRedisConnection(url, options.connectTimeoutMs)
    this.#prefix = options.prefix ?? 'edgeclip:ratelimit:'
    this.#mode = options.onRedisError ?? DEFAULT_RATE_LIMIT_FAILURE_MODE
    this.#fallback = options.fallback ?? new MemoryRateLimiter()
    this.#retryAfterSeconds = options.retryAfterSeconds ?? 5
  }

  async check(keyId: string, cost: RateLimitCost, limits: RateLimits): Promise<RateLimitDecision> {
    let reply: number[]
    try {
      reply = await this.#charge(keyId, cost, limits)
      this.lastError = undefined
    } catch (error) {
      this.lastError = error
      if (this.#mode === 'open') return this.#fallback.check(keyId, cost, limits)
      throw new EdgeclipError('Rate limits cannot be checked right now; retry shortly.', {
        status: 503,
        code: 'rate_limiter_unavailable',
        retryAfter: this.#retryAfterSeconds,
        cause: error,
      })
    }
    const [fits, now, windowStart, previousRequests, previousTokens, currentRequests, currentTokens] = reply
    // The script decided; the pure window function only words the answer (remaining, retry-after)
    // from the same state and instant, so both share one definition of the window.
    const state = {
      windowStart: windowStart!,
      previous: { requests: previousRequests!, tokens: previousTokens! },
      current: { requests: currentRequests!, tokens: currentTokens! },
    }
    const decision = chargeWindow(state, cost, limits, now!)
    if (fits === 1) return { ...decision, allowed: true, retryAfter: undefined }
    return { ...decision, allowed: false, remaining: 0, retryAfter: decision.retryAfter ?? 1 }
  }

  close(): Promise<void> {
    return this.#connection.close()
  }

  async #charge(keyId: string, cost: RateLimitCost, limits: RateLimits): Promise<number[]> {
    const client = await this.#connection.connected()
    const values = [cost.requests, cost.tokens, limits.requestsPerMinute, limits.tokensPerMinute]
    const options = {
      keys: [`${this.#prefix}${keyId}`],
      arguments: [...values, RATE_LIMIT_WINDOW_MS].map(String),
    }
    try {
      return (await client.evalSha(CHARGE_WINDOW_SHA, options)) as number[]
    } catch (error) {
      // A fresh or restarted Redis has no script cache: load it by sending the script once.
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error
      return (await client.eval(CHARGE_WINDOW_SCRIPT, options)) as number[]
    }
  }
}
