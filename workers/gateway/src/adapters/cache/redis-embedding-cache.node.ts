// Node L2 shared by every gateway process: one Redis string per vector (raw float32 bytes), a key
// prefix per deployment and a TTL. Commands fail fast while disconnected (no offline queue), so a
// TieredEmbeddingCache in front degrades to L1 instead of stalling requests.
import type { EmbeddingCache } from '@edgeclip/core'
import { createClient, RESP_TYPES } from 'redis'
import { bytesToVector, vectorToBytes } from './vector-bytes'

export interface RedisEmbeddingCacheOptions {
  prefix?: string
  ttlSeconds?: number
  connectTimeoutMs?: number
}

function connectBinaryClient(url: string, connectTimeoutMs: number) {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: connectTimeoutMs,
      reconnectStrategy: (retries) => Math.min(retries * 100, 2_000),
    },
  }).withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer })
  return client
}

type BinaryClient = ReturnType<typeof connectBinaryClient>

export class RedisEmbeddingCache implements EmbeddingCache {
  #client: BinaryClient
  #connecting: Promise<BinaryClient> | undefined
  #prefix: string
  #ttlSeconds: number
  #connectTimeoutMs: number
  /** The client's last connection error; the client itself keeps reconnecting. */
  lastError: unknown

  constructor(url: string, options: RedisEmbeddingCacheOptions = {}) {
    this.#prefix = options.prefix ?? 'edgeclip:emb:'
    this.#ttlSeconds = options.ttlSeconds ?? 30 * 24 * 3600
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 2_000
    this.#client = connectBinaryClient(url, this.#connectTimeoutMs)
    // Without a listener an 'error' event would crash the process on every dropped connection.
    this.#client.on('error', (error: unknown) => {
      this.lastError = error
    })
  }

  async getMany(keys: readonly string[]): Promise<(Float32Array | undefined)[]> {
    if (keys.length === 0) return []
    const client = await this.#connected()
    const values = await client.mGet(keys.map((key) => this.#prefix + key))
    return values.map((value) => (value instanceof Uint8Array ? bytesToVector(value) : undefined))
  }

  async setMany(entries: readonly { key: string; vector: Float32Array }[]): Promise<void> {
    if (entries.length === 0) return
    const client = await this.#connected()
    const batch = client.multi()
    for (const { key, vector } of entries) {
      batch.set(this.#prefix + key, Buffer.from(vectorToBytes(vector).buffer), {
        expiration: { type: 'EX', value: this.#ttlSeconds },
      })
    }
    await batch.exec()
  }

  async close(): Promise<void> {
    if (this.#client.isReady) await this.#client.close()
    else if (this.#client.isOpen) this.#client.destroy()
  }

  async #connected(): Promise<BinaryClient> {
    if (this.#client.isReady) return this.#client
    // Started once; the client then reconnects by itself. While it is down, commands fail at
    // once (no offline queue) and callers wait at most connectTimeoutMs here.
    this.#connecting ??= this.#client.connect().catch((error: unknown) => {
      this.#connecting = undefined
      throw error
    })
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`Redis not reachable within ${this.#connectTimeoutMs} ms`, { cause: this.lastError }),
          ),
        this.#connectTimeoutMs,
      )
    })
    try {
      return await Promise.race([this.#connecting, timeout])
    } finally {
      clearTimeout(timer)
    }
  }
}
