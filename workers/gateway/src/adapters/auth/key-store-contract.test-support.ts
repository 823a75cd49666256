// One behavioural suite for every KeyStore, so KV and SQLite cannot drift apart.
import type { KeyStore } from '@edgeclip/core'
import { createApiKey, hashApiKey } from '@edgeclip/core'
import { describe, expect, it } from 'vitest'

export function describeKeyStoreContract(name: string, openStore: () => KeyStore | Promise<KeyStore>): void {
  describe(`${name} (KeyStore contract)`, () => {
    it('finds a key by the hash of the presented secret, with its limits', async () => {
      const store = await openStore()
      const { key, record } = await createApiKey('ci', { requestsPerMinute: 10, tokensPerMinute: 5000 })
      await store.create(record)
      expect(await store.findByHash(await hashApiKey(key))).toEqual(record)
    })

    it('answers undefined for unknown or altered secrets', async () => {
      const store = await openStore()
      const { key, record } = await createApiKey('ci')
      await store.create(record)
      const altered = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`
      expect(await store.findByHash(await hashApiKey(altered))).toBeUndefined()
      expect(await store.findByHash('')).toBeUndefined()
    })

    it('stores only hashes: the secret appears nowhere in listings', async () => {
      const store = await openStore()
      const { key, record } = await createApiKey('listing')
      await store.create(record)
      const listed = await store.list()
      expect(listed.map((entry) => entry.id)).toContain(record.id)
      expect(JSON.stringify(listed)).not.toContain(key)
      expect(JSON.stringify(listed)).not.toContain(key.slice('ec_'.length + 13)) // the secret part
    })

    it('revokes by id and reports unknown ids', async () => {
      const store = await openStore()
      const { key, record } = await createApiKey('to-revoke')
      await store.create(record)
      expect(await store.revoke(record.id)).toBe(true)
      expect((await store.findByHash(await hashApiKey(key)))?.revoked).toBe(true)
      expect((await store.list()).find((entry) => entry.id === record.id)?.revoked).toBe(true)
      expect(await store.revoke('000000000000')).toBe(false)
    })

    it('refuses a second key with the same id', async () => {
      const store = await openStore()
      const { record } = await createApiKey('first')
      await store.create(record)
      const { record: other } = await createApiKey('second')
      await expect(store.create({ ...other, id: record.id })).rejects.toThrow()
    })
  })
}
