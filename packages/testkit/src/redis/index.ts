export type { RunningRedis } from './redis-server'
export { hasRedisServer, redisTestsEnabled, startRedisServer } from './redis-server'
