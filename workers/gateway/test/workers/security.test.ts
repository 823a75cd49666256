// Issue 7, item 4, on the Workers host (inside workerd): keys hashed at rest in KV, a revoked key
// refused, CORS off unless configured, the body limit. Cited by docs/security.md.
import { createApiKey, hashApiKey } from '@edgeclip/core'
import { describe, expect, it } from 'vitest'
import { KvKeyStore } from '../../src/adapters'
import { WORKERS_MAX_BODY_BYTES } from '../../src/config'
import { postEmbeddings } from './support/requests'
import { callWorker, env } from './support/worker'

describe('Workers security', () => {
  it('keeps only the key hash in KV, and refuses a revoked key', async () => {
    const { key, record } = await createApiKey('revoke-me')
    const store = new KvKeyStore(env.KEYS)
    await store.create(record)
    expect((await postEmbeddings({ input: 'hello world' }, key)).status).toBe(200)

    const listed = await env.KEYS.list()
    const values = await Promise.all(listed.keys.map(({ name }) => env.KEYS.get(name, { type: 'text' })))
    const stored = [...listed.keys.map(({ name }) => name), ...values].join('\n')
    expect(stored).toContain(await hashApiKey(key))
    expect(stored).not.toContain(key)

    await store.revoke(record.id)
    // Local KV has no propagation delay; in production a location may serve its cached record for
    // up to the 30 s cacheTtl KvKeyStore asks for, plus KV's own propagation (about 60 s in all).
    const refused = await postEmbeddings({ input: 'hello world' }, key)
    expect(refused.status).toBe(403)
    expect(await refused.json()).toMatchObject({ error: { code: 'key_revoked' } })
  })

  it('sends no CORS headers unless EDGECLIP_CORS_ORIGINS names origins', async () => {
    const preflight = await callWorker('/v1/embeddings', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    })
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('answers a body over the limit with 413 before reading it all', async () => {
    const { key, record } = await createApiKey('big-body')
    await new KvKeyStore(env.KEYS).create(record)
    const response = await postEmbeddings({ input: 'a'.repeat(WORKERS_MAX_BODY_BYTES + 1024) }, key)
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ error: { code: 'request_too_large' } })
  })
})
