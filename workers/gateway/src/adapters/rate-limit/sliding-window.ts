// Per-key request and token budgets over a sliding one-minute window, approximated the usual way
// (Cloudflare, nginx): the previous fixed window's count weighted by how much of it still overlaps,
// plus the current window's count. Pure and clock-injected, shared by the in-memory limiter (Node)
// and the Durable Object (Workers). Retry-after is computed, not guessed: retrying after it
// succeeds if nothing else is charged meanwhile.
import type { RateLimitDecision, RateLimits } from '../../ports'

export const RATE_LIMIT_WINDOW_MS = 60_000

export interface RateLimitCost {
  requests: number
  tokens: number
}

export interface SlidingWindowState {
  /** Start of the current fixed window, a multiple of the window length. */
  windowStart: number
  previous: RateLimitCost
  current: RateLimitCost
}

// Float slack so a retry at exactly the computed instant is not refused by rounding.
const EPSILON = 1e-9

export function emptyWindowState(now: number): SlidingWindowState {
  return {
    windowStart: now - (now % RATE_LIMIT_WINDOW_MS),
    previous: { requests: 0, tokens: 0 },
    current: { requests: 0, tokens: 0 },
  }
}

/** Moves the window forward to `now`; returns the same object for chaining. */
function roll(state: SlidingWindowState, now: number): SlidingWindowState {
  const windowStart = now - (now % RATE_LIMIT_WINDOW_MS)
  if (windowStart === state.windowStart) return state
  state.previous =
    windowStart - state.windowStart === RATE_LIMIT_WINDOW_MS ? state.current : { requests: 0, tokens: 0 }
  state.current = { requests: 0, tokens: 0 }
  state.windowStart = windowStart
  return state
}

/** True once the state holds nothing that can still count (safe to forget the key). */
export function isIdle(state: SlidingWindowState, now: number): boolean {
  return now - state.windowStart >= 2 * RATE_LIMIT_WINDOW_MS
}

/**
 * Charges `cost` to `state` when it fits both budgets and says so; otherwise leaves `state`
 * untouched and says when to retry. A cost larger than a whole budget can never fit: it is refused
 * with a full window as retry-after, so callers should reject such requests with a 4xx first.
 */
export function chargeWindow(
  state: SlidingWindowState,
  cost: RateLimitCost,
  limits: RateLimits,
  now: number,
): RateLimitDecision {
  roll(state, now)
  const overlap = 1 - (now - state.windowStart) / RATE_LIMIT_WINDOW_MS
  const estimate = (dimension: keyof RateLimitCost) =>
    state.previous[dimension] * overlap + state.current[dimension]
  const budgets: [keyof RateLimitCost, number][] = [
    ['requests', limits.requestsPerMinute],
    ['tokens', limits.tokensPerMinute],
  ]
  const fits = budgets.every(([dimension, limit]) => estimate(dimension) + cost[dimension] <= limit + EPSILON)
  if (fits) {
    state.current.requests += cost.requests
    state.current.tokens += cost.tokens
    return {
      allowed: true,
      limit: limits.requestsPerMinute,
      remaining: Math.max(0, Math.floor(limits.requestsPerMinute - estimate('requests') + EPSILON)),
    }
  }
  const retryAt = Math.max(
    ...budgets.map(([dimension, limit]) => earliestFit(state, dimension, cost[dimension], limit)),
  )
  return {
    allowed: false,
    retryAfter: Math.max(1, Math.ceil((retryAt - now) / 1000)),
    limit: limits.requestsPerMinute,
    remaining: 0,
  }
}

/** The earliest instant at which `cost` fits `limit` in one dimension, absent other charges. */
function earliestFit(
  state: SlidingWindowState,
  dimension: keyof RateLimitCost,
  cost: number,
  limit: number,
): number {
  const { previous, current } = { previous: state.previous[dimension], current: state.current[dimension] }
  const windowEnd = state.windowStart + RATE_LIMIT_WINDOW_MS
  if (cost > limit) return windowEnd + RATE_LIMIT_WINDOW_MS
  const roomThisWindow = limit - current - cost
  if (roomThisWindow >= 0) {
    // previous * (1 - f) <= room  ⇔  f >= 1 - room / previous
    const fraction = previous === 0 ? 0 : Math.max(0, 1 - roomThisWindow / previous)
    return state.windowStart + fraction * RATE_LIMIT_WINDOW_MS
  }
  // Only in the next window, where today's count becomes the decaying previous one.
  const fraction = current === 0 ? 0 : Math.max(0, 1 - (limit - cost) / current)
  return windowEnd + fraction * RATE_LIMIT_WINDOW_MS
}
