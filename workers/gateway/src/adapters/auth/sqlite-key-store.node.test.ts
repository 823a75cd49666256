import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApiKey, hashApiKey } from '@edgeclip/core'
import { afterAll, describe, expect, it } from 'vitest'
import { describeKeyStoreContract } from './key-store-contract.test-support'
import { SqliteKeyStore } from './node'

const directories: string[] = []
const stores: SqliteKeyStore[] = []
const newDataDir = () => {
  const directory = mkdtempSync(join(tmpdir(), 'edgeclip-keys-'))
  directories.push(directory)
  return directory
}
const openStore = (dataDir: string) => {
  const store = new SqliteKeyStore(dataDir)
  stores.push(store)
  return store
}
afterAll(() => {
  for (const store of stores) store.close()
  for (const directory of directories) rmSync(directory, { recursive: true, force: true })
})

describeKeyStoreContract('SqliteKeyStore', () => openStore(newDataDir()))

describe('SqliteKeyStore', () => {
  it('keeps keys.sqlite under the data dir, holding the hash but never the key', async () => {
    const dataDir = join(newDataDir(), 'data')
    const store = openStore(dataDir)
    const { key, record } = await createApiKey('file')
    await store.create(record)
    expect(store.path).toBe(join(dataDir, 'keys.sqlite'))
    const bytes = Buffer.concat([readFileSync(store.path), readFileSync(`${store.path}-wal`)]).toString(
      'latin1',
    )
    expect(bytes).toContain(record.hash)
    expect(bytes).not.toContain(key)
  })

  it('sees keys created and revoked through another connection at once (CLI beside a running gateway)', async () => {
    const dataDir = newDataDir()
    const gateway = openStore(dataDir)
    const cli = openStore(dataDir)
    const { key, record } = await createApiKey('late')
    const hash = await hashApiKey(key)
    expect(await gateway.findByHash(hash)).toBeUndefined()
    await cli.create(record)
    expect((await gateway.findByHash(hash))?.revoked).toBe(false)
    await cli.revoke(record.id)
    expect((await gateway.findByHash(hash))?.revoked).toBe(true)
  })
})
