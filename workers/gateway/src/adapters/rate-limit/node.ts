// Node-only rate limiter (Redis over TCP); the Workers bundle never imports this file.
export type { RateLimitFailureMode, RedisRateLimiterOptions } from './redis-rate-limiter.node.js'
export { DEFAULT_RATE_LIMIT_FAILURE_MODE, RedisRateLimiter } from './redis-rate-limiter.node.js'
