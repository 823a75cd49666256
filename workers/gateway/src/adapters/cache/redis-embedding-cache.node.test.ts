// Runs against a real redis-server started on a free port; skips when the binary is absent (fails under CI).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:net'
import { missingOutsideCi } from '@edgeclip/testkit'
import { createClient } from 'redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LruEmbeddingCache, TieredEmbeddingCache } from '.'
import { RedisEmbeddingCache } from './node'

const hasRedis =
  missingOutsideCi(
    'redis-server',
    spawnSync('redis-server', ['--version']).status === 0
      ? undefined
      : 'no redis-server binary on PATH (apt-get install redis-server)',
  ) === undefined

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)))
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) resolve()
    })
  })
  return child
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

describe.skipIf(!hasRedis)('RedisEmbeddingCache', () => {
  let port: number
  let server: ChildProcess
  beforeAll(async () => {
    port = await freePort()
    server = await startRedis(port)
  })
  afterAll(async () => {
    if (server) await stop(server)
  })

  it('stores raw float32 bytes under the prefix with a TTL', async () => {
    const cache = new RedisEmbeddingCache(`redis://127.0.0.1:${port}`, { prefix: 'test:', ttlSeconds: 600 })
    const row = Float32Array.from({ length: 768 }, (_, index) => index / 7)
    await cache.setMany([{ key: 't:x', vector: row }])
    expect(await cache.getMany(['t:x', 't:y'])).toEqual([row, undefined])
    const raw = createClient({ url: `redis://127.0.0.1:${port}` })
    await raw.connect()
    const ttl = await raw.ttl('test:t:x')
    expect(ttl).toBeGreaterThan(590)
    expect(ttl).toBeLessThanOrEqual(600)
    await raw.close()
    await cache.close()
  })

  it('fails fast while Redis is down, so a tiered cache degrades to L1 and recovers', async () => {
    const url = `redis://127.0.0.1:${port}`
    const l2 = new RedisEmbeddingCache(url)
    const tiered = new TieredEmbeddingCache(new LruEmbeddingCache({ maxBytes: 100_000 }), l2, {
      retryAfterMs: 0,
    })
    await tiered.setMany([{ key: 'a', vector: Float32Array.of(1, 2) }])
    expect(tiered.status()).toBe('ok')
    await stop(server)
    await tiered.setMany([{ key: 'b', vector: Float32Array.of(3) }])
    expect(tiered.status()).toBe('degraded')
    expect(await tiered.getMany(['a', 'b', 'c'])).toEqual([
      Float32Array.of(1, 2),
      Float32Array.of(3),
      undefined,
    ])
    server = await startRedis(port)
    await expect
      .poll(async () => {
        await tiered.getMany(['c'])
        return tiered.status()
      })
      .toBe('ok')
    // Data written before the outage is gone with the restarted in-memory server; new writes land.
    await tiered.setMany([{ key: 'd', vector: Float32Array.of(4) }])
    expect(await l2.getMany(['d'])).toEqual([Float32Array.of(4)])
    await l2.close()
  })

  it('rejects instead of hanging when Redis is down from the start, and works once it is up', async () => {
    const downPort = await freePort()
    const cache = new RedisEmbeddingCache(`redis://127.0.0.1:${downPort}`, { connectTimeoutMs: 200 })
    await expect(cache.getMany(['a'])).rejects.toThrow()
    const late = await startRedis(downPort)
    try {
      await expect
        .poll(() =>
          cache.setMany([{ key: 'a', vector: Float32Array.of(5) }]).then(
            () => 'ok',
            () => 'down',
          ),
        )
        .toBe('ok')
      expect(await cache.getMany(['a'])).toEqual([Float32Array.of(5)])
    } finally {
      await cache.close()
      await stop(late)
    }
  })
})
