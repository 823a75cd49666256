// The Durable Object behind DurableObjectRateLimiter: one instance per API key, single-threaded, so
// the window needs no locking. State is written to the object's storage with each charge, so an
// eviction of the idle object does not hand the key a fresh minute.

// biome-ignore lint/suspicious/noTsIgnore: the module exists only under workerd; @ts-expect-error would fail where it is typed
// @ts-ignore 'cloudflare:workers' is provided by workerd; typed below from @cloudflare/workers-types
import { DurableObject as UntypedDurableObject } from 'cloudflare:workers'
import type { CloudflareWorkersModule, DurableObjectState } from '@cloudflare/workers-types/index'
import type { RateLimitDecision, RateLimits } from '../../ports'
import { chargeWindow, emptyWindowState, type RateLimitCost, type SlidingWindowState } from './sliding-window'

const DurableObjectBase = UntypedDurableObject as typeof CloudflareWorkersModule.DurableObject<unknown>
const STATE_KEY = 'window'

export class RateLimiterDurableObject extends DurableObjectBase {
  #state: SlidingWindowState | undefined

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env)
    void ctx.blockConcurrencyWhile(async () => {
      this.#state = await ctx.storage.get<SlidingWindowState>(STATE_KEY)
    })
  }

  async check(cost: RateLimitCost, limits: RateLimits): Promise<RateLimitDecision> {
    const now = Date.now()
    this.#state ??= emptyWindowState(now)
    const decision = chargeWindow(this.#state, cost, limits, now)
    // Not awaited on purpose: the output gate holds the reply until the write is durable.
    if (decision.allowed) void this.ctx.storage.put(STATE_KEY, this.#state)
    return decision
  }
}
