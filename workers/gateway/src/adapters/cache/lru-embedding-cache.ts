// In-process L1: a Map kept in recency order (delete + set moves an entry to the end), so get,
// set and evict-oldest are all O(1). Bounded by bytes, not entries, since vector width varies by model.
import type { EmbeddingCache } from '@edgeclip/core'

export interface LruEmbeddingCacheOptions {
  /** Budget for keys plus vectors; an entry larger than this is never stored. */
  maxBytes: number
}

export class LruEmbeddingCache implements EmbeddingCache {
  readonly maxBytes: number
  #entries = new Map<string, Float32Array>()
  #bytes = 0

  constructor(options: LruEmbeddingCacheOptions) {
    if (!Number.isFinite(options.maxBytes) || options.maxBytes <= 0) {
      throw new RangeError(`maxBytes must be a positive number, got ${options.maxBytes}`)
    }
    this.maxBytes = options.maxBytes
  }

  get size(): number {
    return this.#entries.size
  }

  get bytes(): number {
    return this.#bytes
  }

  async getMany(keys: readonly string[]): Promise<(Float32Array | undefined)[]> {
    return keys.map((key) => {
      const vector = this.#entries.get(key)
      if (vector === undefined) return undefined
      this.#entries.delete(key)
      this.#entries.set(key, vector)
      // A copy, so a caller normalizing in place cannot corrupt the stored row.
      return vector.slice()
    })
  }

  async setMany(entries: readonly { key: string; vector: Float32Array }[]): Promise<void> {
    for (const { key, vector } of entries) this.#set(key, vector)
  }

  #set(key: string, vector: Float32Array): void {
    const size = entrySize(key, vector)
    this.#remove(key)
    if (size > this.maxBytes) return
    this.#entries.set(key, vector.slice())
    this.#bytes += size
    while (this.#bytes > this.maxBytes) {
      const oldest = this.#entries.keys().next()
      if (oldest.done) break
      this.#remove(oldest.value)
    }
  }

  #remove(key: string): void {
    const existing = this.#entries.get(key)
    if (existing === undefined) return
    this.#entries.delete(key)
    this.#bytes -= entrySize(key, existing)
  }
}

function entrySize(key: string, vector: Float32Array): number {
  // Keys are ASCII (`t:`/`i:` + hex), so one byte per character.
  return key.length + vector.byteLength
}
