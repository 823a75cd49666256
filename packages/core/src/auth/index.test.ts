import { describe, expect, it } from 'vitest'
import { apiKeyId, createApiKey, hashApiKey, timingSafeEqualHex } from '../index'

describe('API keys', () => {
  it('creates a key whose record holds only its hash', async () => {
    const { key, record } = await createApiKey('ci', { requestsPerMinute: 10 })
    expect(key).toMatch(/^ec_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/)
    expect(apiKeyId(key)).toBe(record.id)
    expect(record.hash).toBe(await hashApiKey(key))
    expect(JSON.stringify(record)).not.toContain(key.slice(16))
    expect(record).toMatchObject({ name: 'ci', revoked: false, requestsPerMinute: 10 })
  })

  it('makes a new secret every time', async () => {
    const first = await createApiKey('a')
    const second = await createApiKey('a')
    expect(first.key).not.toBe(second.key)
  })

  it('rejects malformed keys and compares hashes exactly', async () => {
    expect(apiKeyId('sk-123')).toBeUndefined()
    const hash = await hashApiKey('x')
    expect(timingSafeEqualHex(hash, hash)).toBe(true)
    expect(timingSafeEqualHex(hash, await hashApiKey('y'))).toBe(false)
    expect(timingSafeEqualHex(hash, hash.slice(1))).toBe(false)
  })
})
