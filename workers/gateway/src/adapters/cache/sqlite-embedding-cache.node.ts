// Node L2 on local disk: survives restarts, shared by processes on one machine. Entries expire
// after a TTL and the table is trimmed oldest-first to `maxEntries` every `evictEveryWrites` writes.
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import type { EmbeddingCache } from '@edgeclip/core'
import { inTransaction, openDatabase } from '../sqlite/open-database.node.js'
import { bytesToVector, vectorToBytes } from './vector-bytes'

export interface SqliteEmbeddingCacheOptions {
  ttlSeconds?: number
  maxEntries?: number
  evictEveryWrites?: number
  now?: () => number
}

export class SqliteEmbeddingCache implements EmbeddingCache {
  readonly path: string
  #database: DatabaseSync
  #ttlMs: number
  #maxEntries: number
  #evictEveryWrites: number
  #now: () => number
  #writesSinceEviction = 0
  #select: StatementSync
  #upsert: StatementSync

  constructor(path: string, options: SqliteEmbeddingCacheOptions = {}) {
    this.path = path
    this.#ttlMs = (options.ttlSeconds ?? 30 * 24 * 3600) * 1000
    this.#maxEntries = options.maxEntries ?? 1_000_000
    this.#evictEveryWrites = options.evictEveryWrites ?? 1_000
    this.#now = options.now ?? Date.now
    this.#database = openDatabase(path)
    // rowid order is write order (INSERT OR REPLACE makes a new row), which the trim relies on.
    this.#database.exec(`
      CREATE TABLE IF NOT EXISTS embeddings (
        key TEXT NOT NULL UNIQUE,
        vector BLOB NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS embeddings_expires_at ON embeddings (expires_at);
    `)
    this.#select = this.#database.prepare('SELECT vector FROM embeddings WHERE key = ? AND expires_at > ?')
    this.#upsert = this.#database.prepare(
      'INSERT OR REPLACE INTO embeddings (key, vector, expires_at) VALUES (?, ?, ?)',
    )
    this.evict()
  }

  async getMany(keys: readonly string[]): Promise<(Float32Array | undefined)[]> {
    const now = this.#now()
    return keys.map((key) => {
      const row = this.#select.get(key, now)
      return row?.vector instanceof Uint8Array ? bytesToVector(row.vector) : undefined
    })
  }

  async setMany(entries: readonly { key: string; vector: Float32Array }[]): Promise<void> {
    if (entries.length === 0) return
    const expiresAt = this.#now() + this.#ttlMs
    inTransaction(this.#database, () => {
      for (const { key, vector } of entries) this.#upsert.run(key, vectorToBytes(vector), expiresAt)
    })
    this.#writesSinceEviction += entries.length
    if (this.#writesSinceEviction >= this.#evictEveryWrites) this.evict()
  }

  /** Drops expired entries, then the oldest beyond `maxEntries`. Returns how many rows went. */
  evict(): number {
    this.#writesSinceEviction = 0
    return inTransaction(this.#database, () => {
      let removed = Number(
        this.#database.prepare('DELETE FROM embeddings WHERE expires_at <= ?').run(this.#now()).changes,
      )
      const count = Number(
        this.#database.prepare('SELECT COUNT(*) AS count FROM embeddings').get()?.count ?? 0,
      )
      if (count > this.#maxEntries) {
        removed += Number(
          this.#database
            .prepare(
              'DELETE FROM embeddings WHERE rowid IN (SELECT rowid FROM embeddings ORDER BY rowid LIMIT ?)',
            )
            .run(count - this.#maxEntries).changes,
        )
      }
      return removed
    })
  }

  close(): void {
    this.#database.close()
  }
}
