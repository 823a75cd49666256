// Where the client keeps vectors it already has: a user's store (get/set), or a bounded in-memory
// LRU. Keys name everything the SDK knows makes the vector: server and model revision, encoding,
// normalization, truncation, and the exact text or a hash of the image's data.
import { LRUCache } from 'lru-cache'
import type { Encoding } from './decode'

export type CachedRow = Float32Array | Uint8Array

/** Any store: a Map, Redis through your own wrapper, IndexedDB. Values are the rows as returned. */
export interface EmbeddingStore {
  get(key: string): CachedRow | undefined | Promise<CachedRow | undefined>
  set(key: string, row: CachedRow): unknown
}

export interface MemoryStoreOptions {
  /** Most rows kept (default 10 000). */
  maxEntries?: number
  /** Most bytes of rows and keys kept (default 64 MiB). */
  maxBytes?: number
}

export const DEFAULT_CACHE_ENTRIES = 10_000
export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024

/** The built-in store behind `cache: true`: least recently used rows go first. */
export function memoryStore(options: MemoryStoreOptions = {}): EmbeddingStore {
  const rows = new LRUCache<string, CachedRow>({
    max: options.maxEntries ?? DEFAULT_CACHE_ENTRIES,
    maxSize: options.maxBytes ?? DEFAULT_CACHE_BYTES,
    // Keys are JS strings (two bytes a character at worst).
    sizeCalculation: (row, key) => row.byteLength + key.length * 2,
  })
  return { get: (key) => rows.get(key), set: (key, row) => rows.set(key, row) }
}

export function isEmbeddingStore(value: unknown): value is EmbeddingStore {
  const candidate = value as Partial<EmbeddingStore> | null
  return typeof candidate?.get === 'function' && typeof candidate.set === 'function'
}

export interface RowKeyParts {
  /** Server and model revision (`baseURL`, `id@revision`). */
  scope: string
  encoding: Encoding
  normalized: boolean
  truncate: boolean
}

const HTTP_URL = /^https?:/i

/**
 * The key of one wire input, or undefined when its vector cannot be known from the request alone
 * (an http(s) image URL: what it points to may change; the server fetches it every time).
 */
export async function rowKey(
  parts: RowKeyParts,
  input: { text: string } | { image: string },
): Promise<string | undefined> {
  const head = [parts.scope, parts.encoding, parts.normalized ? 'n' : 'r', parts.truncate ? 't' : 'f']
  if ('text' in input) return JSON.stringify([...head, 'text', input.text])
  if (HTTP_URL.test(input.image)) return undefined
  return JSON.stringify([...head, 'image', await sha256Hex(input.image)])
}

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('')
}
