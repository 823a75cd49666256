import { describe, expect, it } from 'vitest'
import type { RateLimits } from '../../ports'
import {
  chargeWindow,
  DurableObjectRateLimiter,
  emptyWindowState,
  MemoryRateLimiter,
  RATE_LIMIT_WINDOW_MS,
  type RateLimitCost,
  type SlidingWindowState,
} from '.'

const limits: RateLimits = { requestsPerMinute: 3, tokensPerMinute: 1_000 }
const one = (tokens = 10): RateLimitCost => ({ requests: 1, tokens })
const minute = RATE_LIMIT_WINDOW_MS

describe('chargeWindow', () => {
  it('allows up to the request budget, then refuses with the exact wait', () => {
    const start = 10 * minute
    const state = emptyWindowState(start)
    expect([1, 2, 3].map(() => chargeWindow(state, one(), limits, start).allowed)).toEqual([true, true, true])
    const refused = chargeWindow(state, one(), limits, start + 15_000)
    // The window rolls at 11:00, where the three requests weigh 3 * (1 - f); the fourth fits once
    // 3 * (1 - f) + 1 <= 3, i.e. f >= 1/3: 20 s into that window, 65 s after 10:15.
    expect(refused).toMatchObject({ allowed: false, retryAfter: 65, remaining: 0, limit: 3 })
  })

  it('a retry at retry-after succeeds and one second earlier does not', () => {
    const start = 10 * minute + 30_000
    const state = emptyWindowState(start)
    for (let index = 0; index < 3; index++) chargeWindow(state, one(), limits, start)
    const refused = chargeWindow(state, one(), limits, start + 1_000)
    expect(refused.allowed).toBe(false)
    const retryAt = start + 1_000 + refused.retryAfter! * 1000
    const before: SlidingWindowState = structuredClone(state)
    expect(chargeWindow(before, one(), limits, retryAt - 1_000).allowed).toBe(false)
    expect(chargeWindow(state, one(), limits, retryAt).allowed).toBe(true)
  })

  it('weights the previous window by its remaining overlap', () => {
    const state = emptyWindowState(0)
    for (let index = 0; index < 3; index++) chargeWindow(state, one(), limits, 0)
    // Halfway through the next window the three earlier requests count as 1.5: one more fits (2.5).
    expect(chargeWindow(state, one(), limits, minute + minute / 2)).toMatchObject({
      allowed: true,
      remaining: 0,
    })
    expect(chargeWindow(state, one(), limits, minute + minute / 2).allowed).toBe(false)
  })

  it('forgets everything after two idle windows', () => {
    const state = emptyWindowState(0)
    for (let index = 0; index < 3; index++) chargeWindow(state, one(), limits, 0)
    expect(chargeWindow(state, one(), limits, 2 * minute)).toMatchObject({ allowed: true, remaining: 2 })
  })

  it('limits tokens as well as requests, and computes the wait for tokens', () => {
    const state = emptyWindowState(0)
    expect(chargeWindow(state, one(900), limits, 0).allowed).toBe(true)
    const refused = chargeWindow(state, one(200), limits, 6_000)
    expect(refused.allowed).toBe(false)
    // Next window: 900 * (1 - f) + 200 <= 1000  ⇔  f >= 1/9 → 60 s + 6.67 s - 6 s = 60.67 s → 61 s.
    expect(refused.retryAfter).toBe(61)
    expect(chargeWindow(state, one(200), limits, 6_000 + 61_000).allowed).toBe(true)
  })

  it('refuses a cost larger than the whole budget without charging it', () => {
    const state = emptyWindowState(0)
    const refused = chargeWindow(state, one(1_001), limits, 0)
    expect(refused.allowed).toBe(false)
    expect(refused.retryAfter).toBeGreaterThanOrEqual(60)
    expect(chargeWindow(state, one(1_000), limits, 0).allowed).toBe(true)
  })
})

describe('MemoryRateLimiter', () => {
  it('keeps separate budgets per key', async () => {
    const limiter = new MemoryRateLimiter({ now: () => 0 })
    for (let index = 0; index < 3; index++)
      expect((await limiter.check('a', one(), limits)).allowed).toBe(true)
    expect((await limiter.check('a', one(), limits)).allowed).toBe(false)
    expect((await limiter.check('b', one(), limits)).allowed).toBe(true)
  })

  it('bounds memory: sweeps idle keys and drops the least recently used past maxKeys', async () => {
    let now = 0
    const limiter = new MemoryRateLimiter({ maxKeys: 100, sweepEvery: 10, now: () => now })
    for (let index = 0; index < 150; index++) await limiter.check(`key-${index}`, one(), limits)
    expect(limiter.size).toBe(100)
    now = 2 * minute
    for (let index = 0; index < 10; index++) await limiter.check('fresh', one(), limits)
    expect(limiter.size).toBe(1)
  })
})

describe('DurableObjectRateLimiter', () => {
  it('routes every check for a key to the object named after it', async () => {
    const objects = new Map<string, SlidingWindowState>()
    const names: string[] = []
    const namespace = {
      idFromName: (name: string) => {
        names.push(name)
        return { name }
      },
      get: (id: { name: string }) => ({
        check: async (cost: RateLimitCost, limits: RateLimits) => {
          const state = objects.get(id.name) ?? emptyWindowState(0)
          objects.set(id.name, state)
          return chargeWindow(state, cost, limits, 0)
        },
      }),
    }
    const limiter = new DurableObjectRateLimiter(namespace)
    for (let index = 0; index < 3; index++) await limiter.check('key-1', one(), limits)
    expect(await limiter.check('key-1', one(), limits)).toMatchObject({ allowed: false })
    expect(await limiter.check('key-2', one(), limits)).toMatchObject({ allowed: true })
    expect(new Set(names)).toEqual(new Set(['key-1', 'key-2']))
  })
})
