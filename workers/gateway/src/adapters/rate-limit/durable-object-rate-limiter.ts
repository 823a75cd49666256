// Workers client for RateLimiterDurableObject: one object per API key (idFromName), so every
// location charges the same counters. Runtime-agnostic: it only calls the namespace binding.
import type { RateLimitDecision, RateLimiter, RateLimits } from '../../ports'
import type { RateLimitCost } from './sliding-window'

/** What the limiter needs from a DurableObjectNamespace<RateLimiterDurableObject> binding. */
export interface RateLimiterNamespaceLike {
  idFromName(name: string): unknown
  get(id: never): { check(cost: RateLimitCost, limits: RateLimits): Promise<RateLimitDecision> }
}

export class DurableObjectRateLimiter implements RateLimiter {
  #namespace: RateLimiterNamespaceLike

  constructor(namespace: RateLimiterNamespaceLike) {
    this.#namespace = namespace
  }

  async check(keyId: string, cost: RateLimitCost, limits: RateLimits): Promise<RateLimitDecision> {
    const stub = this.#namespace.get(this.#namespace.idFromName(keyId) as never)
    // RPC results are plain structured-clone copies; rebuild to the exact decision shape.
    const decision = await stub.check(
      { requests: cost.requests, tokens: cost.tokens },
      {
        requestsPerMinute: limits.requestsPerMinute,
        tokensPerMinute: limits.tokensPerMinute,
      },
    )
    return { ...decision }
  }
}
