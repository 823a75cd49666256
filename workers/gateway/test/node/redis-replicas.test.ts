// Two real Node gateway processes sharing one real redis-server (REDIS_URL), each with its own
// data dir, so nothing is shared through files: a key's limit holds across both, a revoked key is
// refused by both, the L2 cache is shared, and a Redis outage gives 503 + retry-after, then recovers.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApiKey } from '@edgeclip/core'
import { type RunningRedis, redisTestsEnabled, startRedisServer } from '@edgeclip/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RATE_LIMIT_WINDOW_MS, RedisKeyStore } from '../../src/adapters/node'
import { type GatewayProcess, startGatewayProcess } from './support/gateway-process'

const enabled = redisTestsEnabled('two-replica Redis gateway tests')
let redis: RunningRedis
let keys: RedisKeyStore
const replicas: GatewayProcess[] = []
/** Auth off (the anonymous bucket), so that only the limiter meets a Redis outage: open, closed. */
const limitOnly: Record<'open' | 'closed', GatewayProcess | undefined> = {
  open: undefined,
  closed: undefined,
}
const dataDirs: string[] = []

async function startReplica(env: Record<string, string> = {}): Promise<GatewayProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'edgeclip-replica-'))
  dataDirs.push(dataDir)
  return startGatewayProcess({ REDIS_URL: redis.url, BACKEND_URL: 'off', EDGECLIP_DATA_DIR: dataDir, ...env })
}

beforeAll(async () => {
  if (!enabled) return
  redis = await startRedisServer()
  keys = new RedisKeyStore(redis.url)
  const [first, second, open, closed] = await Promise.all([
    startReplica(),
    startReplica(),
    startReplica({ EDGECLIP_AUTH: 'off' }),
    startReplica({ EDGECLIP_AUTH: 'off', EDGECLIP_RATE_LIMIT_ON_REDIS_ERROR: 'closed' }),
  ])
  replicas.push(first, second)
  Object.assign(limitOnly, { open, closed })
})
afterAll(async () => {
  const all = [...replicas, limitOnly.open, limitOnly.closed].filter((replica) => replica !== undefined)
  await Promise.all(all.map((replica) => replica.stop()))
  await keys?.close()
  await redis?.stop()
  await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

function embed(replica: GatewayProcess, key: string, input = 'hello world') {
  return fetch(`${replica.url}/v1/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ input }),
  })
}

async function newKey(requestsPerMinute?: number) {
  const { key, record } = await createApiKey('replica-test', requestsPerMinute ? { requestsPerMinute } : {})
  await keys.create(record)
  return { key, id: record.id, record }
}

describe.skipIf(!enabled)('two Node gateways sharing Redis', () => {
  it('hold one limit for a key across both replicas', async () => {
    const limit = 6
    const { key } = await newKey(limit)
    const started = Date.now()
    const statuses: number[] = []
    for (let index = 0; index < 2 * limit; index++) {
      const response = await embed(replicas[index % 2]!, key, `text ${index}`)
      await response.arrayBuffer()
      statuses.push(response.status)
    }
    // Tolerance: exact within one window; a run straddling a minute boundary may admit the
    // decayed share of the previous window again (limit × elapsed / window, rounded up).
    const slack = Math.ceil((limit * (Date.now() - started)) / RATE_LIMIT_WINDOW_MS)
    const allowed = statuses.filter((status) => status === 200).length
    expect(allowed).toBeGreaterThanOrEqual(limit)
    expect(allowed).toBeLessThanOrEqual(limit + slack)
    expect(statuses.filter((status) => status !== 200).every((status) => status === 429)).toBe(true)
    // In-process limits would have let each replica admit `limit` on its own: 2 × limit in all.
  })

  it('refuse a revoked key on both replicas from their next request', async () => {
    const { key, id } = await newKey()
    for (const replica of replicas) expect((await embed(replica, key)).status).toBe(200)
    // Every request reads the key from Redis: no replica holds a verification to outlive the revoke.
    await keys.revoke(id)
    for (const replica of replicas) expect((await embed(replica, key)).status).toBe(403)
  })

  it('share the L2 cache: a vector computed by one replica is a hit on the other', async () => {
    const { key } = await newKey()
    const input = 'first replica only'
    const first = await embed(replicas[0]!, key, input)
    expect(first.status, await first.clone().text()).toBe(200)
    expect(first.headers.get('x-edgeclip-cache')).toBe('miss')
    const vector = ((await first.json()) as { data: { embedding: number[] }[] }).data[0]!.embedding
    // The write-back runs after the response; poll until the other replica finds it in Redis.
    await expect
      .poll(async () => (await embed(replicas[1]!, key, input)).headers.get('x-edgeclip-cache'))
      .toBe('hit')
    const second = (await (await embed(replicas[1]!, key, input)).json()) as {
      data: { embedding: number[] }[]
    }
    expect(second.data[0]!.embedding).toEqual(vector)
  })

  it('answer 503 with retry-after while Redis is down (keys fail closed; limits as set), and recover', async () => {
    const { key, record } = await newKey()
    await redis.stop()
    const refusal = async (replica: GatewayProcess, key: string) => {
      const response = await embed(replica, key)
      const code = ((await response.json()) as { error?: { code: string } }).error?.code
      return { status: response.status, code, retryAfter: Number(response.headers.get('retry-after')) }
    }
    for (const replica of replicas) {
      const { status, code, retryAfter } = await refusal(replica, key)
      expect([status, code]).toEqual([503, 'key_store_unavailable'])
      expect(retryAfter).toBeGreaterThan(0)
    }
    // Limits alone (auth off): 'open' (the default) keeps serving, 'closed' refuses with a 503.
    expect((await embed(limitOnly.open!, 'unused')).status).toBe(200)
    const closed = await refusal(limitOnly.closed!, 'unused')
    expect([closed.status, closed.code]).toEqual([503, 'rate_limiter_unavailable'])
    expect(closed.retryAfter).toBeGreaterThan(0)
    await redis.restart() // empty (no persistence in tests): the key is written again
    const reachable = () =>
      keys.list().then(
        () => 'up',
        () => 'down',
      )
    await expect.poll(reachable, { timeout: 10_000 }).toBe('up')
    await keys.create(record)
    for (const replica of [...replicas, limitOnly.closed!]) {
      await expect.poll(async () => (await embed(replica, key)).status, { timeout: 10_000 }).toBe(200)
    }
  })
})
