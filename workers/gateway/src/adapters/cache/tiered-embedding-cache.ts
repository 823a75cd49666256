// L1 (in-process) in front of a shared L2 (KV, Redis, SQLite). L2 failures never fail a request:
// the tier is skipped for a cool-down and the cache reports `degraded` until L2 answers again.
import type { EmbeddingCache } from '@edgeclip/core'
import type { CacheStatus, ObservableEmbeddingCache } from './cache-status'

export interface TieredEmbeddingCacheOptions {
  /** An L2 call slower than this counts as a failure (a hung Redis must not hang requests). */
  timeoutMs?: number
  /** After an L2 failure, serve from L1 alone for this long before trying L2 again. */
  retryAfterMs?: number
  now?: () => number
}

export class TieredEmbeddingCache implements ObservableEmbeddingCache {
  #l1: EmbeddingCache
  #l2: EmbeddingCache
  #timeoutMs: number
  #retryAfterMs: number
  #now: () => number
  #lastError: unknown
  #skipL2Until = 0

  constructor(l1: EmbeddingCache, l2: EmbeddingCache, options: TieredEmbeddingCacheOptions = {}) {
    this.#l1 = l1
    this.#l2 = l2
    this.#timeoutMs = options.timeoutMs ?? 2_000
    this.#retryAfterMs = options.retryAfterMs ?? 5_000
    this.#now = options.now ?? Date.now
  }

  get lastError(): unknown {
    return this.#lastError
  }

  status(): CacheStatus {
    return this.#lastError === undefined ? 'ok' : 'degraded'
  }

  async getMany(keys: readonly string[]): Promise<(Float32Array | undefined)[]> {
    const results = await this.#l1.getMany(keys)
    const missing: number[] = []
    results.forEach((vector, index) => {
      if (vector === undefined) missing.push(index)
    })
    if (missing.length === 0) return results
    const fromL2 = await this.#callL2((l2) => l2.getMany(missing.map((index) => keys[index]!)))
    if (fromL2 === undefined) return results
    const promoted: { key: string; vector: Float32Array }[] = []
    missing.forEach((resultIndex, missIndex) => {
      const vector = fromL2[missIndex]
      if (vector === undefined) return
      results[resultIndex] = vector
      promoted.push({ key: keys[resultIndex]!, vector })
    })
    if (promoted.length > 0) await this.#l1.setMany(promoted)
    return results
  }

  async setMany(entries: readonly { key: string; vector: Float32Array }[]): Promise<void> {
    if (entries.length === 0) return
    await this.#l1.setMany(entries)
    await this.#callL2((l2) => l2.setMany(entries))
  }

  /** Runs an L2 call; undefined when L2 is skipped, failed or timed out. */
  async #callL2<T>(call: (l2: EmbeddingCache) => Promise<T>): Promise<T | undefined> {
    if (this.#now() < this.#skipL2Until) return undefined
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`L2 cache did not answer within ${this.#timeoutMs} ms`)),
        this.#timeoutMs,
      )
    })
    try {
      const value = await Promise.race([call(this.#l2), timeout])
      this.#lastError = undefined
      return value
    } catch (error) {
      this.#lastError = error
      this.#skipL2Until = this.#now() + this.#retryAfterMs
      return undefined
    } finally {
      clearTimeout(timer)
    }
  }
}
