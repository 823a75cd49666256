// Node key store: `keys.sqlite` under the data directory, shared by the running gateway and the
// `edgeclip keys` CLI. Every lookup reads the file (an indexed read, microseconds), so a key
// created or revoked by the CLI takes effect on the gateway's next request: no in-process cache.
import { join } from 'node:path'
import type { DatabaseSync, SQLOutputValue, StatementSync } from 'node:sqlite'
import type { ApiKeyRecord, KeyStore } from '@edgeclip/core'
import { timingSafeEqualHex } from '@edgeclip/core'
import { openDatabase } from '../sqlite/open-database.node.js'

export const KEY_STORE_FILE_NAME = 'keys.sqlite'

type Row = Record<string, SQLOutputValue>

function rowToRecord(row: Row): ApiKeyRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    hash: String(row.hash),
    createdAt: String(row.created_at),
    revoked: Number(row.revoked) === 1,
    ...(row.requests_per_minute === null ? {} : { requestsPerMinute: Number(row.requests_per_minute) }),
    ...(row.tokens_per_minute === null ? {} : { tokensPerMinute: Number(row.tokens_per_minute) }),
  }
}

export class SqliteKeyStore implements KeyStore {
  readonly path: string
  #database: DatabaseSync
  /** Prepared once: this lookup runs on every authenticated request. */
  #findByHash: StatementSync

  /** `dataDir` is EDGECLIP_DATA_DIR; the directory is created when missing. */
  constructor(dataDir: string) {
    this.path = join(dataDir, KEY_STORE_FILE_NAME)
    this.#database = openDatabase(this.path)
    this.#database.exec(`
      CREATE TABLE IF NOT EXISTS api_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0,
        requests_per_minute INTEGER,
        tokens_per_minute INTEGER
      )
    `)
    this.#findByHash = this.#database.prepare('SELECT * FROM api_keys WHERE hash = ?')
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const row = this.#findByHash.get(hash)
    // The index lookup is on a digest of the secret, which leaks nothing useful by timing; the
    // final equality check is constant-time all the same.
    if (row === undefined || !timingSafeEqualHex(String(row.hash), hash)) return undefined
    return rowToRecord(row)
  }

  async create(record: ApiKeyRecord): Promise<void> {
    this.#database
      .prepare(
        `INSERT INTO api_keys (id, name, hash, created_at, revoked, requests_per_minute, tokens_per_minute)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        record.id,
        record.name,
        record.hash,
        record.createdAt,
        record.revoked ? 1 : 0,
        record.requestsPerMinute ?? null,
        record.tokensPerMinute ?? null,
      )
  }

  async list(): Promise<ApiKeyRecord[]> {
    return this.#database.prepare('SELECT * FROM api_keys ORDER BY created_at, id').all().map(rowToRecord)
  }

  async revoke(id: string): Promise<boolean> {
    return Number(this.#database.prepare('UPDATE api_keys SET revoked = 1 WHERE id = ?').run(id).changes) > 0
  }

  close(): void {
    this.#database.close()
  }
}
