// API keys, stored only as hashes. Implementations: KV (Workers), SQLite/file (Node).

export interface ApiKeyRecord {
  /** Public id (a prefix shown in listings); never the secret. */
  id: string
  name: string
  /** Hex sha256 of the full key. */
  hash: string
  createdAt: string
  revoked: boolean
  /** Per-key limits; undefined means the service default. */
  requestsPerMinute?: number
  tokensPerMinute?: number
}

export interface KeyStore {
  /** Looks a key up by the hash of the presented secret; undefined when unknown. */
  findByHash(hash: string): Promise<ApiKeyRecord | undefined>
  create(record: ApiKeyRecord): Promise<void>
  list(): Promise<ApiKeyRecord[]>
  /** Returns false when no key has that id. */
  revoke(id: string): Promise<boolean>
}
