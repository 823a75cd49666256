// In-process rate limiter for the Node host (one process: exact; several processes: per process).
// Memory stays bounded: idle keys are swept, and past `maxKeys` the least recently used key goes.
import type { RateLimitDecision, RateLimiter, RateLimits } from '../../ports'
import {
  chargeWindow,
  emptyWindowState,
  isIdle,
  type RateLimitCost,
  type SlidingWindowState,
} from './sliding-window'

export interface MemoryRateLimiterOptions {
  maxKeys?: number
  /** Sweep idle keys every this many checks. */
  sweepEvery?: number
  now?: () => number
}

export class MemoryRateLimiter implements RateLimiter {
  #states = new Map<string, SlidingWindowState>()
  #maxKeys: number
  #sweepEvery: number
  #now: () => number
  #checksSinceSweep = 0

  constructor(options: MemoryRateLimiterOptions = {}) {
    this.#maxKeys = options.maxKeys ?? 100_000
    this.#sweepEvery = options.sweepEvery ?? 1_000
    this.#now = options.now ?? Date.now
  }

  /** Keys currently tracked (for tests and metrics). */
  get size(): number {
    return this.#states.size
  }

  async check(keyId: string, cost: RateLimitCost, limits: RateLimits): Promise<RateLimitDecision> {
    const now = this.#now()
    if (++this.#checksSinceSweep >= this.#sweepEvery) this.#sweep(now)
    const state = this.#states.get(keyId) ?? emptyWindowState(now)
    // Re-insert to keep Map order = recency order for the LRU bound.
    this.#states.delete(keyId)
    this.#states.set(keyId, state)
    while (this.#states.size > this.#maxKeys) {
      const oldest = this.#states.keys().next()
      if (oldest.done) break
      this.#states.delete(oldest.value)
    }
    return chargeWindow(state, cost, limits, now)
  }

  #sweep(now: number): void {
    this.#checksSinceSweep = 0
    for (const [keyId, state] of this.#states) if (isIdle(state, now)) this.#states.delete(keyId)
  }
}
