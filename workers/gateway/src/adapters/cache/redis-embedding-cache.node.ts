// Node L2 shared by every gateway process: one Redis string per vector (raw float32 bytes), a key
// prefix per deployment and a TTL. Commands fail fast while disconnected (no offline queue), so a
// TieredEmbeddingCache in front degrades to L1 instead of stalling requests.
import type { EmbeddingCache } from '@edgeclip/core'
import { createClient, RESP_TYPES } from 'redis'
import {
  DEFAULT_REDIS_CONNECT_TIMEOUT_MS,
  RedisConnection,
  redisClientOptions,
} from '../redis/redis-connection.node.js'
import { bytesToVector, vectorToBytes } from './vector-bytes'

export interface RedisEmbeddingCacheOptions {
  prefix?: string
  ttlSeconds?: number
  connectTimeoutMs?: number
}

function createBinaryClient(url: string, connectTimeoutMs: number) {
  return createClient(redisClientOptions(url, connectTimeoutMs)).withTypeMapping({
    [RESP_TYPES.BLOB_STRING]: Buffer,
  })
}

type BinaryClient = ReturnType<typeof createBinaryClient>

export class RedisEmbeddingCache implements EmbeddingCache {
  #connection: RedisConnection<BinaryClient>
  #prefix: string
  #ttlSeconds: number

  constructor(url: string, options: RedisEmbeddingCacheOptions = {}) {
    this.#prefix = options.prefix ?? 'edgeclip:emb:'
    this.#ttlSeconds = options.ttlSeconds ?? 30 * 24 * 3600
    const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_REDIS_CONNECT_TIMEOUT_MS
    this.#connection = new RedisConnection(createBinaryClient(url, connectTimeoutMs), connectTimeoutMs)
  }

  /** The client's last connection error; the client itself keeps reconnecting. */
  get lastError(): unknown {
    return this.#connection.lastError
  }

  async getMany(keys: readonly string[]): Promise<(Float32Array | undefined)[]> {
    if (keys.length === 0) return []
    const client = await this.#connection.connected()
    const values = await client.mGet(keys.map((key) => this.#prefix + key))
    return values.map((value) => (value instanceof Uint8Array ? bytesToVector(value) : undefined))
  }

  async setMany(entries: readonly { key: string; vector: Float32Array }[]): Promise<void> {
    if (entries.length === 0) return
    const client = await this.#connection.connected()
    const batch = client.multi()
    for (const { key, vector } of entries) {
      batch.set(this.#prefix + key, Buffer.from(vectorToBytes(vector).buffer), {
        expiration: { type: 'EX', value: this.#ttlSeconds },
      })
    }
    await batch.exec()
  }

  close(): Promise<void> {
    return this.#connection.close()
  }
}
