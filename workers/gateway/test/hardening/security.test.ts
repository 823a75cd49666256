// Issue 7, item 4, on the Node host: keys hashed at rest, a revoked key refused on its next
// request, limits per key, no key or image-URL query string in any log line, and the key lookup
// gated by a digest comparison. Each `it` is cited by a claim in docs/security.md.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApiKey, hashApiKey } from '@edgeclip/core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { KvKeyStore } from '../../src/adapters'
import { MemoryKv } from '../../src/adapters/testing/memory-kv'
import { readNodeSettings, startNodeGateway } from '../../src/node'
import { dataUri, solidPng } from '../node/support/png'
import { fixtureModel, startTestGateway, type TestGateway } from '../node/support/test-gateway'

let gateway: TestGateway
let noBackend: TestGateway

beforeAll(async () => {
  // A closed port: every backend call fails, so the 5xx paths (which do log) run too.
  gateway = await startTestGateway({ BACKEND_URL: 'http://127.0.0.1:1', EDGECLIP_BACKEND_TIMEOUT_MS: '2000' })
  noBackend = await startTestGateway({ BACKEND_URL: 'off' })
})

afterAll(async () => {
  await Promise.all([gateway?.close(), noBackend?.close()])
  await (await fixtureModel()).edgeTower!().then((tower) => tower.release())
})

const post = (target: TestGateway, body: unknown, key?: string) =>
  fetch(`${target.url}/v1/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  })

describe('keys at rest', () => {
  it('the key store holds the key hash, never the key', async () => {
    const { key } = await gateway.createKey()
    expect((await post(gateway, { input: 'hello' }, key)).status).toBe(200)
    const files = await readdir(gateway.dataDir)
    const bytes = Buffer.concat(
      await Promise.all(
        files.filter((name) => name.startsWith('keys')).map((name) => readFile(join(gateway.dataDir, name))),
      ),
    )
    expect(bytes.length).toBeGreaterThan(0)
    expect(bytes.includes(await hashApiKey(key))).toBe(true)
    expect(bytes.includes(key)).toBe(false)
    // Nor any long piece of it (the id prefix is public by design: it names the key in lists).
    expect(bytes.includes(key.slice(-16))).toBe(false)
  })

  it('a record is served only when its stored digest equals the presented one (timingSafeEqualHex)', async () => {
    const kv = new MemoryKv()
    const store = new KvKeyStore(kv)
    const { key, record } = await createApiKey('tampered')
    const presented = await hashApiKey(key)
    // An index entry under the presented digest whose record carries another: the comparison is the gate.
    await kv.put(`apikey:hash:${presented}`, JSON.stringify({ ...record, hash: await hashApiKey(`${key}x`) }))
    expect(await store.findByHash(presented)).toBeUndefined()
    await kv.put(`apikey:hash:${presented}`, JSON.stringify(record))
    expect((await store.findByHash(presented))?.id).toBe(record.id)
    // Workers lookups may be served from the edge cache for at most this long (the stated revoke delay).
    expect(kv.reads.at(-1)?.cacheTtl).toBe(30)
  })
})

describe('revocation and limits', () => {
  it('a revoked key is refused on its very next request (Node: no cache in front of the store)', async () => {
    const { key, id } = await gateway.createKey()
    expect((await post(gateway, { input: 'hello' }, key)).status).toBe(200)
    await gateway.revokeKey(id)
    const refused = await post(gateway, { input: 'hello' }, key)
    expect(refused.status).toBe(403)
    expect(await refused.text()).not.toContain(key)
  })

  it("limits are per key: one key's spent token budget does not touch another's", async () => {
    const spent = await gateway.createKey({ tokensPerMinute: 8 })
    const other = await gateway.createKey({ tokensPerMinute: 8 })
    expect((await post(gateway, { input: 'one two three' }, spent.key)).status).toBe(200)
    const limited = await post(gateway, { input: 'four five six' }, spent.key)
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await limited.text()).toMatch(/8 tokens per minute/)
    expect((await post(gateway, { input: 'one two three' }, other.key)).status).toBe(200)
  })
})

describe('auth off', () => {
  it('is only on request (EDGECLIP_AUTH=off), and the Node host says so at startup', async () => {
    const lines: string[] = []
    const dataDir = await mkdtemp(join(tmpdir(), 'edgeclip-auth-off-'))
    const model = await fixtureModel()
    const start = (env: Record<string, string>) =>
      startNodeGateway({
        settings: readNodeSettings({
          PORT: '0',
          EDGECLIP_MODEL: 'fixture',
          EDGECLIP_DATA_DIR: dataDir,
          BACKEND_URL: 'off',
          ...env,
        }),
        model: { ...model, release: async () => {} },
        log: (line) => lines.push(line),
      })
    const open = await start({ EDGECLIP_AUTH: 'off' })
    const closed = await start({})
    try {
      expect(lines.filter((line) => line.includes('AUTH IS OFF'))).toHaveLength(1)
      const request = {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"input":"x"}',
      }
      expect((await fetch(`${open.url}/v1/embeddings`, request)).status).toBe(200)
      expect((await fetch(`${closed.url}/v1/embeddings`, request)).status).toBe(401)
    } finally {
      await Promise.all([open.close(), closed.close()])
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})

describe('logs', () => {
  it('never hold a key or an image URL query string, on success or on any failure path', async () => {
    const lines: string[] = []
    const record = (...parts: unknown[]) => {
      lines.push(
        parts
          .map((part) => (part instanceof Error ? `${part.message} ${part.stack}` : String(part)))
          .join(' '),
      )
    }
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation(record)
    }
    const writes = [vi.spyOn(process.stdout, 'write'), vi.spyOn(process.stderr, 'write')]
    for (const spy of writes)
      spy.mockImplementation((chunk: unknown) => {
        lines.push(String(chunk))
        return true
      })
    const secretQuery = 'sig=Q1w2e3r4t5y6SECRET'
    try {
      const { key } = await gateway.createKey()
      const { key: revoked, id } = await gateway.createKey()
      await gateway.revokeKey(id)
      const image = (url: string) => ({ input: [{ image: `${url}?${secretQuery}` }] })
      await post(gateway, { input: 'fine' }, key)
      await post(gateway, { input: 'fine' }, revoked)
      await post(gateway, { input: 'fine' }, `${key}tampered`)
      await post(gateway, image('http://127.0.0.1:1/cat.png'), key)
      await post(gateway, image('http://10.0.0.1/cat.png'), key)
      await post(gateway, image('http://unresolvable.invalid/cat.png'), key)
      await post(gateway, image('ftp://example.com/cat.png'), key)
      // Needs the backend, which is down: the 503 path logs a warning.
      await post(gateway, { input: [{ image: dataUri(solidPng(2, 2, [1, 2, 3])) }] }, key)
      const long = Array.from({ length: 80 }, () => 'cat').join(' ')
      await post(gateway, { input: long }, key)
      const { key: other } = await noBackend.createKey()
      await post(noBackend, { input: long }, other)
      expect(lines.some((line) => line.includes('503') || line.includes('backend'))).toBe(true)
      for (const line of lines) {
        expect(line).not.toContain(key)
        expect(line).not.toContain(revoked)
        expect(line).not.toContain(other)
        expect(line).not.toContain('SECRET')
      }
    } finally {
      vi.restoreAllMocks()
    }
  }, 120_000)
})
