// `edgeclip keys` with REDIS_URL writes the store that gateway replicas share, not keys.sqlite.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hashApiKey } from '@edgeclip/core'
import { RedisKeyStore } from '@edgeclip/gateway/adapters/node'
import { type RunningRedis, redisTestsEnabled, startRedisServer } from '@edgeclip/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { capturedIo } from '../captured-io.test-support'
import { runKeysCommand } from './keys'

const enabled = redisTestsEnabled('edgeclip keys with REDIS_URL')

describe.skipIf(!enabled)('edgeclip keys with REDIS_URL', () => {
  let redis: RunningRedis
  let dataDir: string
  beforeAll(async () => {
    redis = await startRedisServer()
    dataDir = mkdtempSync(join(tmpdir(), 'edgeclip-cli-redis-keys-'))
  })
  afterAll(async () => {
    await redis?.stop()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  async function run(...argv: string[]) {
    const env = { EDGECLIP_DATA_DIR: dataDir, REDIS_URL: redis.url }
    const { io, output } = capturedIo({ env, cwd: process.cwd() })
    return { code: await runKeysCommand(argv, io), ...output }
  }

  it('creates, lists and revokes keys in Redis, where a replica sees them at once', async () => {
    const replica = new RedisKeyStore(redis.url)
    try {
      const created = await run('create', '--name', 'shared', '--rpm', '30')
      expect(created.code).toBe(0)
      const key = created.stdout.trim()
      const id = key.split('_')[1]!
      const hash = await hashApiKey(key)
      expect(await replica.findByHash(hash)).toMatchObject({ id, revoked: false, requestsPerMinute: 30 })
      expect((await run('list')).stdout).toMatch(new RegExp(`${id}\\s+shared\\s+\\S+\\s+active\\s+30`))
      expect(await run('revoke', id)).toMatchObject({ code: 0, stdout: `revoked ${id}\n` })
      expect((await replica.findByHash(hash))?.revoked).toBe(true)
      expect(existsSync(join(dataDir, 'keys.sqlite'))).toBe(false)
    } finally {
      await replica.close()
    }
  })
})
