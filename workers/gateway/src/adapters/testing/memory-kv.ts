// Test double with the Workers KV behaviour our adapters rely on (value types, TTL minimum,
// prefix listing). The real binding is exercised in workerd by the Workers host's tests.

interface StoredValue {
  value: string | ArrayBuffer
  expirationTtl: number | undefined
}

export class MemoryKv {
  values = new Map<string, StoredValue>()
  reads: { key: string; cacheTtl: number | undefined }[] = []

  async get(key: string, options: { type: 'arrayBuffer'; cacheTtl?: number }): Promise<ArrayBuffer | null>
  async get(key: string, options: { type: 'text'; cacheTtl?: number }): Promise<string | null>
  async get(
    key: string,
    options: { type: 'arrayBuffer' | 'text'; cacheTtl?: number },
  ): Promise<ArrayBuffer | string | null> {
    if (options.cacheTtl !== undefined && options.cacheTtl < 30) throw new Error('KV: cacheTtl < 30')
    this.reads.push({ key, cacheTtl: options.cacheTtl })
    const entry = this.values.get(key)
    if (entry === undefined) return null
    if (options.type === 'text') {
      return typeof entry.value === 'string' ? entry.value : new TextDecoder().decode(entry.value)
    }
    return typeof entry.value === 'string'
      ? new TextEncoder().encode(entry.value).buffer
      : entry.value.slice(0)
  }

  async put(key: string, value: string | ArrayBuffer, options?: { expirationTtl?: number }): Promise<void> {
    if (typeof value !== 'string' && !(value instanceof ArrayBuffer)) {
      throw new TypeError('KV fake stores strings and ArrayBuffers only')
    }
    if (options?.expirationTtl !== undefined && options.expirationTtl < 60) throw new Error('KV: ttl < 60')
    this.values.set(key, {
      value: typeof value === 'string' ? value : value.slice(0),
      expirationTtl: options?.expirationTtl,
    })
  }

  async list(options: { prefix?: string; cursor?: string; limit?: number } = {}) {
    // Small pages, so callers that forget to follow the cursor fail in tests.
    const limit = Math.min(options.limit ?? 1000, 2)
    const names = [...this.values.keys()].filter((name) => name.startsWith(options.prefix ?? '')).sort()
    const start = options.cursor === undefined ? 0 : Number(options.cursor)
    const page = names.slice(start, start + limit).map((name) => ({ name }))
    const next = start + limit
    return next < names.length
      ? { keys: page, list_complete: false as const, cursor: String(next) }
      : { keys: page, list_complete: true as const }
  }
}
