// Node-only caches (node:sqlite, Redis over TCP); the Workers bundle never imports this file.
export type { RedisEmbeddingCacheOptions } from './redis-embedding-cache.node'
export { RedisEmbeddingCache } from './redis-embedding-cache.node'
export type { SqliteEmbeddingCacheOptions } from './sqlite-embedding-cache.node'
export { SqliteEmbeddingCache } from './sqlite-embedding-cache.node'
