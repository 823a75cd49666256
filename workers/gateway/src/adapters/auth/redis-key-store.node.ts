// Key store shared by every Node gateway replica (REDIS_URL): the record as JSON under its key
// hash (the lookup every request makes) and the hash under the id (for revoke). Every lookup reads
// Redis, so a key created or revoked through the CLI is seen by all replicas on their next request.
// While Redis is unreachable lookups fail closed: 503 with retry-after, never an unverified key.
import type { ApiKeyRecord, KeyStore } from '@edgeclip/core'
import { EdgeclipError, timingSafeEqualHex } from '@edgeclip/core'
import { createStringRedisConnection } from '../redis/redis-connection.node.js'
import { parseApiKeyRecord } from './api-key-record'

export interface RedisKeyStoreOptions {
  prefix?: string
  connectTimeoutMs?: number
  /** Seconds a client is told to wait while Redis is unreachable. */
  retryAfterSeconds?: number
}

type StringClient = ReturnType<typeof createStringRedisConnection>['client']

export class RedisKeyStore implements KeyStore {
  #connection: ReturnType<typeof createStringRedisConnection>
  #prefix: string
  #retryAfterSeconds: number

  constructor(url: string, options: RedisKeyStoreOptions = {}) {
    this.#connection = createStringRedisConnection(url, options.connectTimeoutMs)
    this.#prefix = options.prefix ?? 'edgeclip:apikey:'
    this.#retryAfterSeconds = options.retryAfterSeconds ?? 5
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    if (hash === '') return undefined
    const text = await this.#unavailableAsError(async (client) => client.get(this.#hashKey(hash)))
    const record = text === null ? undefined : parseApiKeyRecord(text)
    // Defence in depth: never trust the index alone, and compare digests in constant time.
    return record !== undefined && timingSafeEqualHex(record.hash, hash) ? record : undefined
  }

  async create(record: ApiKeyRecord): Promise<void> {
    const client = await this.#connection.connected()
    // NX on the id claims it atomically: two CLIs creating the same id cannot both succeed.
    const claimed = await client.set(this.#idKey(record.id), record.hash, { condition: 'NX' })
    if (claimed === null) throw new Error(`an API key with id ${record.id} already exists`)
    await client.set(this.#hashKey(record.hash), JSON.stringify(record))
  }

  async list(): Promise<ApiKeyRecord[]> {
    const client = await this.#connection.connected()
    const records: ApiKeyRecord[] = []
    for await (const names of client.scanIterator({ MATCH: `${this.#idKey('')}*`, COUNT: 500 })) {
      for (const name of names) {
        const hash = await client.get(name)
        const text = hash === null ? null : await client.get(this.#hashKey(hash))
        const record = text === null ? undefined : parseApiKeyRecord(text)
        if (record !== undefined) records.push(record)
      }
    }
    return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
  }

  async revoke(id: string): Promise<boolean> {
    const client = await this.#connection.connected()
    const hash = await client.get(this.#idKey(id))
    if (hash === null) return false
    const text = await client.get(this.#hashKey(hash))
    const record = text === null ? undefined : parseApiKeyRecord(text)
    if (record === undefined) return false
    await client.set(this.#hashKey(hash), JSON.stringify({ ...record, revoked: true }))
    return true
  }

  close(): Promise<void> {
    return this.#connection.close()
  }

  async #unavailableAsError<T>(command: (client: StringClient) => Promise<T>): Promise<T> {
    try {
      return await command(await this.#connection.connected())
    } catch (error) {
      throw new EdgeclipError('The API key store is unavailable; retry shortly.', {
        status: 503,
        code: 'key_store_unavailable',
        retryAfter: this.#retryAfterSeconds,
        cause: error,
      })
    }
  }

  #hashKey(hash: string): string {
    return `${this.#prefix}hash:${hash}`
  }

  #idKey(id: string): string {
    return `${this.#prefix}id:${id}`
  }
}
