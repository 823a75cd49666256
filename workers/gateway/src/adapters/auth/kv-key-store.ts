// Workers key store on KV, indexed by key hash (the lookup every request makes) plus an id index
// for revoke. KV is eventually consistent: a revoked key is refused everywhere within about 60 s
// (KV propagation, bounded by the 30 s edge `cacheTtl` chosen here); a new key may likewise take up
// to ~60 s to be accepted at a location that recently looked it up as unknown.
import type { ApiKeyRecord, KeyStore } from '@edgeclip/core'
import { timingSafeEqualHex } from '@edgeclip/core'
import { parseApiKeyRecord } from './api-key-record'

/** The slice of Workers' KVNamespace the key store uses; a real binding satisfies it. */
export interface KvKeyNamespaceLike {
  get(key: string, options: { type: 'text'; cacheTtl?: number }): Promise<string | null>
  put(key: string, value: string): Promise<void>
  list(options: {
    prefix: string
    cursor?: string
  }): Promise<{ keys: { name: string }[]; list_complete: boolean; cursor?: string }>
}

export interface KvKeyStoreOptions {
  prefix?: string
  /** Seconds a location may serve a cached lookup; KV's minimum is 30. */
  cacheTtlSeconds?: number
}

export class KvKeyStore implements KeyStore {
  #kv: KvKeyNamespaceLike
  #prefix: string
  #cacheTtlSeconds: number

  constructor(kv: KvKeyNamespaceLike, options: KvKeyStoreOptions = {}) {
    this.#kv = kv
    this.#prefix = options.prefix ?? 'apikey:'
    this.#cacheTtlSeconds = Math.max(30, options.cacheTtlSeconds ?? 30)
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const record = await this.#read(this.#hashKey(hash), this.#cacheTtlSeconds)
    // Defence in depth: never trust the index alone, and compare digests in constant time.
    return record !== undefined && timingSafeEqualHex(record.hash, hash) ? record : undefined
  }

  async create(record: ApiKeyRecord): Promise<void> {
    const existing = await this.#kv.get(this.#idKey(record.id), { type: 'text' })
    if (existing !== null) throw new Error(`an API key with id ${record.id} already exists`)
    await this.#kv.put(this.#hashKey(record.hash), JSON.stringify(record))
    await this.#kv.put(this.#idKey(record.id), record.hash)
  }

  async list(): Promise<ApiKeyRecord[]> {
    const records: ApiKeyRecord[] = []
    let cursor: string | undefined
    do {
      const page = await this.#kv.list({ prefix: `${this.#prefix}id:`, ...(cursor ? { cursor } : {}) })
      for (const { name } of page.keys) {
        const hash = await this.#kv.get(name, { type: 'text' })
        const record = hash === null ? undefined : await this.#read(this.#hashKey(hash))
        if (record !== undefined) records.push(record)
      }
      cursor = page.list_complete ? undefined : page.cursor
    } while (cursor !== undefined)
    return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt))
  }

  async revoke(id: string): Promise<boolean> {
    const hash = await this.#kv.get(this.#idKey(id), { type: 'text' })
    if (hash === null) return false
    const record = await this.#read(this.#hashKey(hash))
    if (record === undefined) return false
    await this.#kv.put(this.#hashKey(hash), JSON.stringify({ ...record, revoked: true }))
    return true
  }

  async #read(key: string, cacheTtl?: number): Promise<ApiKeyRecord | undefined> {
    const text = await this.#kv.get(key, { type: 'text', ...(cacheTtl ? { cacheTtl } : {}) })
    return text === null ? undefined : parseApiKeyRecord(text)
  }

  #hashKey(hash: string): string {
    return `${this.#prefix}hash:${hash}`
  }

  #idKey(id: string): string {
    return `${this.#prefix}id:${id}`
  }
}
