// Where vectors are kept between requests (LRU, KV, SQLite, Redis). Keys come from `cache-key`.

export interface EmbeddingCache {
  /** Returns the stored raw float32 row per key, or undefined for a miss. Never throws for a miss. */
  getMany(keys: readonly string[]): Promise<(Float32Array | undefined)[]>
  setMany(entries: readonly { key: string; vector: Float32Array }[]): Promise<void>
}
