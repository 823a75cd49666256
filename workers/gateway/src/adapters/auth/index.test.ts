import { createApiKey, hashApiKey } from '@edgeclip/core'
import { describe, expect, it } from 'vitest'
import { MemoryKv } from '../testing/memory-kv'
import { KvKeyStore } from '.'
import { describeKeyStoreContract } from './key-store-contract.test-support'

describeKeyStoreContract('KvKeyStore', () => new KvKeyStore(new MemoryKv()))

describe('KvKeyStore', () => {
  it('looks keys up with an edge cacheTtl no shorter than KV allows', async () => {
    const kv = new MemoryKv()
    const store = new KvKeyStore(kv, { cacheTtlSeconds: 5 })
    const { key, record } = await createApiKey('ttl')
    await store.create(record)
    kv.reads.length = 0
    await store.findByHash(await hashApiKey(key))
    expect(kv.reads).toEqual([{ key: `apikey:hash:${record.hash}`, cacheTtl: 30 }])
  })

  it('lists every key across KV list pages', async () => {
    const store = new KvKeyStore(new MemoryKv())
    const records = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map(async (name) => (await createApiKey(name)).record),
    )
    for (const record of records) await store.create(record)
    expect((await store.list()).map((record) => record.id).sort()).toEqual(
      records.map((record) => record.id).sort(),
    )
  })

  it('ignores a stored value that is not a key record', async () => {
    const kv = new MemoryKv()
    await kv.put('apikey:hash:abc', '{"id": 1}')
    expect(await new KvKeyStore(kv).findByHash('abc')).toBeUndefined()
  })
})
