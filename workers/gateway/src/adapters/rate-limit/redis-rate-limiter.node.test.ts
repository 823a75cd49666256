// RedisRateLimiter against a real redis-server: two limiter clients (two replicas) share one
// budget exactly, concurrent charges cannot overshoot it, and while Redis is down the limiter
// fails open (per-process limits) or closed (503) as configured, recovering once Redis is back.
import { type RunningRedis, redisTestsEnabled, startRedisServer } from '@edgeclip/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RateLimits } from '../../ports'
import { expectEdgeclipError } from '../testing/expect-edgeclip-error'
import { DEFAULT_RATE_LIMIT_FAILURE_MODE, RedisRateLimiter, type RedisRateLimiterOptions } from './node'

const enabled = redisTestsEnabled('Redis rate limiter tests')
let server: RunningRedis | undefined
const limiters: RedisRateLimiter[] = []
const open = (options: RedisRateLimiterOptions = {}) => {
  const limiter = new RedisRateLimiter(server!.url, { connectTimeoutMs: 1_000, ...options })
  limiters.push(limiter)
  return limiter
}
beforeAll(async () => {
  if (enabled) server = await startRedisServer()
})
afterAll(async () => {
  await Promise.all(limiters.map((limiter) => limiter.close()))
  await server?.stop()
})

const request = (tokens = 0) => ({ requests: 1, tokens })

describe.skipIf(!enabled)('RedisRateLimiter', () => {
  it('shares one request budget between two replicas, refusing with a retry-after', async () => {
    const [a, b] = [open(), open()]
    const limits: RateLimits = { requestsPerMinute: 5, tokensPerMinute: 1_000 }
    const decisions = []
    for (let index = 0; index < 8; index++) {
      decisions.push(await (index % 2 === 0 ? a : b).check('shared-requests', request(), limits))
    }
    expect(decisions.map((decision) => decision.allowed)).toEqual([
      ...Array<boolean>(5).fill(true),
      ...Array<boolean>(3).fill(false),
    ])
    expect(decisions[4]).toMatchObject({ limit: 5, remaining: 0 })
    const refused = decisions[5]!
    expect(refused.retryAfter).toBeGreaterThanOrEqual(1)
    expect(refused.retryAfter).toBeLessThanOrEqual(120)
  })

  it('charges nothing for a refused request: tokens left over still fit a smaller one', async () => {
    const limiter = open()
    const limits: RateLimits = { requestsPerMinute: 100, tokensPerMinute: 1_000 }
    expect((await limiter.check('tokens', request(700), limits)).allowed).toBe(true)
    expect((await limiter.check('tokens', request(400), limits)).allowed).toBe(false)
    expect((await limiter.check('tokens', request(300), limits)).allowed).toBe(true)
    expect((await limiter.check('tokens', request(1), limits)).allowed).toBe(false)
  })

  it('cannot overshoot under concurrent charges from two replicas (atomic script)', async () => {
    const [a, b] = [open(), open()]
    const limits: RateLimits = { requestsPerMinute: 7, tokensPerMinute: 1_000_000 }
    const decisions = await Promise.all(
      Array.from({ length: 30 }, (_, index) => (index % 2 ? a : b).check('concurrent', request(3), limits)),
    )
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(7)
  })

  it(`fails ${DEFAULT_RATE_LIMIT_FAILURE_MODE} by default; closed answers 503; both recover`, async () => {
    const failOpen = open()
    const failClosed = open({ onRedisError: 'closed' })
    const limits: RateLimits = { requestsPerMinute: 2, tokensPerMinute: 1_000 }
    expect((await failOpen.check('outage-open', request(), limits)).allowed).toBe(true)
    expect((await failClosed.check('outage-closed', request(), limits)).allowed).toBe(true)
    await server!.stop()
    // Open: this process's own window takes over, so a key is still limited per replica.
    const local = []
    for (let index = 0; index < 3; index++) local.push(await failOpen.check('outage-open', request(), limits))
    expect(local.map((decision) => decision.allowed)).toEqual([true, true, false])
    expect(failOpen.lastError).toBeDefined()
    const error = await expectEdgeclipError(
      failClosed.check('outage-closed', request(), limits),
      503,
      'rate_limiter_unavailable',
    )
    expect(error.retryAfter).toBeGreaterThan(0)
    await server!.restart()
    await expect
      .poll(
        () =>
          failClosed.check('recovered', request(), limits).then(
            () => 'ok',
            () => 'down',
          ),
        {
          timeout: 10_000,
        },
      )
      .toBe('ok')
    const openRecovered = async () => {
      await failOpen.check('recovered-open', request(), limits)
      return failOpen.lastError
    }
    await expect.poll(openRecovered, { timeout: 10_000 }).toBeUndefined()
  })
})
