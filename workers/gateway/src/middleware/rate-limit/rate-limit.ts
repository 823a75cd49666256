// Rate limits per API key: one request is charged at the door, tokens once the texts are tokenized.
import { EdgeclipError } from '@edgeclip/core'
import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from '../../env'
import type { RateLimitDecision, RateLimits } from '../../ports'

/** Every caller shares this bucket when auth is off. */
export const ANONYMOUS_KEY_ID = 'anonymous'

function limitsFor(context: Context<AppEnv>, defaults: RateLimits): { keyId: string; limits: RateLimits } {
  const record = context.get('keyRecord')
  return {
    keyId: record?.id ?? ANONYMOUS_KEY_ID,
    limits: {
      requestsPerMinute: record?.requestsPerMinute ?? defaults.requestsPerMinute,
      tokensPerMinute: record?.tokensPerMinute ?? defaults.tokensPerMinute,
    },
  }
}

/** Charges `cost` to the caller; throws a 429 EdgeclipError with `retryAfter` when over the limit. */
export async function chargeRateLimit(
  context: Context<AppEnv>,
  cost: { requests: number; tokens: number },
  defaults: RateLimits,
): Promise<void> {
  const { keyId, limits } = limitsFor(context, defaults)
  // No wait can make this fit: a 429 would have clients retry it forever. A 413 naming no item is
  // what clients split batches on (the SDK halves them).
  if (cost.tokens > limits.tokensPerMinute) {
    throw new EdgeclipError(
      `input: this request holds ${cost.tokens} tokens, more than the key's limit of ${limits.tokensPerMinute} tokens per minute; send it in smaller requests.`,
      { status: 413, code: 'request_too_large', param: 'input' },
    )
  }
  let decision: RateLimitDecision
  try {
    decision = await context.get('deps').rateLimiter.check(keyId, cost, limits)
  } catch (error) {
    // A limiter that fails closed says so with its own 503 (RedisRateLimiter, 'closed' mode).
    if (error instanceof EdgeclipError) throw error
    // Otherwise a broken limiter store must not take the API down with it: serve, and log it.
    console.warn(`rate limiter unavailable, request ${context.get('requestId')} not limited:`, error)
    return
  }
  if (decision.limit !== undefined) context.header('x-ratelimit-limit', String(decision.limit))
  if (decision.remaining !== undefined) context.header('x-ratelimit-remaining', String(decision.remaining))
  if (!decision.allowed) {
    const retryAfter = Math.max(1, Math.ceil(decision.retryAfter ?? 1))
    const what = cost.tokens > 0 ? `${limits.tokensPerMinute} tokens` : `${limits.requestsPerMinute} requests`
    throw new EdgeclipError(`Rate limit of ${what} per minute reached; retry in ${retryAfter} s.`, {
      status: 429,
      code: 'rate_limit_exceeded',
      retryAfter,
    })
  }
}

/**
 * Charges one request per call, after auth.
 * @example app.use('/v1/embeddings', rateLimit({ defaults: config.defaultLimits }))
 */
export function rateLimit({ defaults }: { defaults: RateLimits }): MiddlewareHandler<AppEnv> {
  return async function rateLimitMiddleware(context, next) {
    await chargeRateLimit(context, { requests: 1, tokens: 0 }, defaults)
    return next()
  }
}
