// Workers L2: one KV entry per vector, value = raw float32 bytes. KV is eventually consistent
// (~60 s across locations), which is harmless here: a key names the input, the tower's weights and
// numerics (and for images the preprocessing version), so its vector never changes.
import type { EmbeddingCache } from '@edgeclip/core'
import { bytesToVector, vectorToBytes } from './vector-bytes'

/** The slice of Workers' KVNamespace this cache uses; a real binding satisfies it. */
export interface KvNamespaceLike {
  get(key: string, options: { type: 'arrayBuffer'; cacheTtl?: number }): Promise<ArrayBuffer | null>
  put(key: string, value: ArrayBuffer, options?: { expirationTtl?: number }): Promise<void>
}

export interface KvEmbeddingCacheOptions {
  /** Namespaces entries so one KV namespace can hold several kinds of data. */
  prefix?: string
  /** Entry lifetime; KV's minimum is 60 s. */
  ttlSeconds?: number
  /** Edge-local read cache for hot keys (KV minimum 30 s); entries are immutable, so long is fine. */
  cacheTtlSeconds?: number
  /**
   * Most KV operations per call. Each is a Workers subrequest (capped per request: 50 on the free
   * plan, 1000 paid), so a huge batch reads only this many keys (the rest count as misses) and
   * writes only this many, instead of failing the whole call at the platform limit.
   */
  maxKeysPerCall?: number
}

const KV_MINIMUM_TTL_SECONDS = 60
const KV_MINIMUM_CACHE_TTL_SECONDS = 30

export class KvEmbeddingCache implements EmbeddingCache {
  #kv: KvNamespaceLike
  #prefix: string
  #ttlSeconds: number
  #cacheTtlSeconds: number
  #maxKeysPerCall: number

  constructor(kv: KvNamespaceLike, options: KvEmbeddingCacheOptions = {}) {
    this.#kv = kv
    this.#prefix = options.prefix ?? 'emb:'
    this.#ttlSeconds = Math.max(KV_MINIMUM_TTL_SECONDS, options.ttlSeconds ?? 30 * 24 * 3600)
    this.#cacheTtlSeconds = Math.max(KV_MINIMUM_CACHE_TTL_SECONDS, options.cacheTtlSeconds ?? 3600)
    this.#maxKeysPerCall = options.maxKeysPerCall ?? 256
  }

  async getMany(keys: readonly string[]): Promise<(Float32Array | undefined)[]> {
    return Promise.all(
      keys.map(async (key, index) => {
        if (index >= this.#maxKeysPerCall) return undefined
        const value = await this.#kv.get(this.#prefix + key, {
          type: 'arrayBuffer',
          cacheTtl: this.#cacheTtlSeconds,
        })
        return value === null ? undefined : bytesToVector(value)
      }),
    )
  }

  async setMany(entries: readonly { key: string; vector: Float32Array }[]): Promise<void> {
    await Promise.all(
      entries.slice(0, this.#maxKeysPerCall).map(({ key, vector }) =>
        this.#kv.put(this.#prefix + key, vectorToBytes(vector).buffer as ArrayBuffer, {
          expirationTtl: this.#ttlSeconds,
        }),
      ),
    )
  }
}
