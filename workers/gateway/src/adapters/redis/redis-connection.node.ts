// One Redis client's lifecycle for the Node adapters (L2 cache, key store, rate limiter): connect
// on first use, reconnect forever in the background, and fail commands at once while disconnected
// (no offline queue), so a dead Redis costs a request at most `connectTimeoutMs`, never a hang.
import { createClient } from 'redis'

/** How long a first connection may take before the caller's command fails. */
export const DEFAULT_REDIS_CONNECT_TIMEOUT_MS = 2_000

/** The client options every edgeclip Redis client shares. */
export function redisClientOptions(url: string, connectTimeoutMs = DEFAULT_REDIS_CONNECT_TIMEOUT_MS) {
  return {
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: connectTimeoutMs,
      reconnectStrategy: (retries: number) => Math.min(retries * 100, 2_000),
    },
  }
}

/** The part of a node-redis client this lifecycle drives (typed clients vary by their mappings). */
export interface RedisClientLike {
  readonly isReady: boolean
  readonly isOpen: boolean
  connect(): Promise<unknown>
  close(): Promise<unknown>
  destroy(): unknown
  on(event: 'error', listener: (error: unknown) => void): unknown
}

export class RedisConnection<Client extends RedisClientLike> {
  readonly client: Client
  /** The client's last connection error; the client itself keeps reconnecting. */
  lastError: unknown
  #connecting: Promise<unknown> | undefined
  #connectTimeoutMs: number

  constructor(client: Client, connectTimeoutMs = DEFAULT_REDIS_CONNECT_TIMEOUT_MS) {
    this.client = client
    this.#connectTimeoutMs = connectTimeoutMs
    // Without a listener an 'error' event would crash the process on every dropped connection.
    client.on('error', (error) => {
      this.lastError = error
    })
  }

  /** The client once connected; rejects after `connectTimeoutMs` when Redis cannot be reached. */
  async connected(): Promise<Client> {
    if (this.client.isReady) return this.client
    // Started once; the client then reconnects by itself. While it is down, commands fail at
    // once (no offline queue) and callers wait at most connectTimeoutMs here.
    this.#connecting ??= this.client.connect().catch((error: unknown) => {
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
      await Promise.race([this.#connecting, timeout])
      return this.client
    } finally {
      clearTimeout(timer)
    }
  }

  async close(): Promise<void> {
    if (this.client.isReady) await this.client.close()
    else if (this.client.isOpen) this.client.destroy()
  }
}

/** A string-valued client for keys and limits (the cache maps blobs to Buffers instead). */
export function createStringRedisConnection(url: string, connectTimeoutMs?: number) {
  return new RedisConnection(createClient(redisClientOptions(url, connectTimeoutMs)), connectTimeoutMs)
}
