// RedisKeyStore against a real redis-server: the KeyStore contract, sharing between two clients
// (two replicas, or the CLI beside a gateway), and failing closed with a 503 while Redis is down.
import { createApiKey, hashApiKey } from '@edgeclip/core'
import { type RunningRedis, redisTestsEnabled, startRedisServer } from '@edgeclip/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectEdgeclipError } from '../testing/expect-edgeclip-error'
import { describeKeyStoreContract } from './key-store-contract.test-support'
import { RedisKeyStore } from './node'

const enabled = redisTestsEnabled('Redis key store tests')
let server: RunningRedis | undefined
const stores: RedisKeyStore[] = []
let prefixes = 0
const openStore = (prefix = `test${prefixes++}:`) => {
  const store = new RedisKeyStore(server!.url, { prefix, connectTimeoutMs: 1_000 })
  stores.push(store)
  return store
}
beforeAll(async () => {
  if (enabled) server = await startRedisServer()
})
afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()))
  await server?.stop()
})

describe.skipIf(!enabled)('RedisKeyStore', () => {
  describeKeyStoreContract('RedisKeyStore', () => openStore())

  it('shows a key created and revoked through one client to another at once', async () => {
    const gateway = openStore('shared:')
    const cli = openStore('shared:')
    const { key, record } = await createApiKey('late')
    const hash = await hashApiKey(key)
    expect(await gateway.findByHash(hash)).toBeUndefined()
    await cli.create(record)
    expect((await gateway.findByHash(hash))?.revoked).toBe(false)
    await cli.revoke(record.id)
    expect((await gateway.findByHash(hash))?.revoked).toBe(true)
  })

  it('answers 503 with retry-after while Redis is down, and serves again once it is back', async () => {
    const store = openStore('outage:')
    const { key, record } = await createApiKey('outage')
    await store.create(record)
    const hash = await hashApiKey(key)
    await server!.stop()
    const error = await expectEdgeclipError(store.findByHash(hash), 503, 'key_store_unavailable')
    expect(error.retryAfter).toBeGreaterThan(0)
    await server!.restart() // an empty server: keys live only as long as Redis keeps them
    // The client reconnects by itself within its backoff (at most 2 s between tries).
    await expect.poll(() => store.findByHash(hash).catch(() => 'down'), { timeout: 10_000 }).toBeUndefined()
    await store.create(record)
    expect(await store.findByHash(hash)).toEqual(record)
  })
})
