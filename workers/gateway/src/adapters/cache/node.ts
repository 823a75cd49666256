// Node-only caches (node:sqlite, Redis over TCP); the Workers bundle never imports this file.
export type { RedisEmbeddingCacheOptions } from './redis-embedding-cache.node.js'
export { RedisEmbeddingCache } from './redis-embedding-cache.node.js'
export type { SqliteEmbeddingCacheOptions } from './sqlite-embedding-cache.node.js'
export { SqliteEmbeddingCache } from './sqlite-embedding-cache.node.js'
