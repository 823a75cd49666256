import { createApiKey, type KeyStore } from '@edgeclip/core'
import { describe, expect, it } from 'vitest'
import { createGatewayApp } from './app'
import { resolveGatewayConfig } from './config'
import {
  FAKE_BACKEND_IDENTITY,
  FAKE_EDGE_IDENTITY,
  type FakeDeps,
  fakeDeps,
  keyRecord,
} from './pipeline/fake-deps.test-support'
import type { GatewayDeps } from './ports'

const config = resolveGatewayConfig({ maxBodyBytes: 4096 })

function appWith(deps: FakeDeps) {
  return createGatewayApp({ getDeps: () => deps, config })
}

const post = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
})

async function keyStoreWith(revoked = false): Promise<{ key: string; keyStore: KeyStore }> {
  const { key, record } = await createApiKey('test')
  const stored = { ...record, revoked }
  return {
    key,
    keyStore: {
      findByHash: async (hash) => (hash === stored.hash ? stored : undefined),
      create: async () => {},
      list: async () => [stored],
      revoke: async () => true,
    },
  }
}

describe('createGatewayApp', () => {
  it('serves embeddings with request id, route, cache and server-timing headers', async () => {
    const response = await appWith(fakeDeps()).request('/v1/embeddings', post({ input: ['a', 'b'] }))
    expect(response.status).toBe(200)
    const body = (await response.json()) as { object: string; data: { index: number }[]; model: string }
    expect(body.object).toBe('list')
    expect(body.model).toBe('jina-clip-v1')
    expect(body.data.map((item) => item.index)).toEqual([0, 1])
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect(response.headers.get('x-edgeclip-route')).toBe('edge')
    expect(response.headers.get('x-edgeclip-cache')).toBe('miss')
    expect(response.headers.get('server-timing')).toMatch(
      /tokenize;dur=[\d.]+.*cache;dur=.*edge;dur=.*encode;dur=/,
    )
  })

  it("keeps a sane caller's request id and replaces an insane one", async () => {
    const app = appWith(fakeDeps())
    const kept = await app.request('/v1/embeddings', post({ input: 'a' }, { 'x-request-id': 'trace-42' }))
    expect(kept.headers.get('x-request-id')).toBe('trace-42')
    const replaced = await app.request('/v1/embeddings', post({ input: 'a' }, { 'x-request-id': 'a b\tc' }))
    expect(replaced.headers.get('x-request-id')).not.toBe('a b\tc')
  })

  it('answers schema, JSON and size violations with OpenAI-style 4xx bodies', async () => {
    const app = appWith(fakeDeps())
    const cases: [RequestInit, number, string, string | null][] = [
      [post({ input: [1, 2] }), 400, 'invalid_request', 'input[0]'],
      [post({ input: 'a', encoding_format: 'int8' }), 400, 'invalid_request', 'encoding_format'],
      [post('{"input": '), 400, 'invalid_request', null],
      [{ method: 'POST', body: '{"input":"a"}' }, 415, 'unsupported_media_type', null],
      [post({ input: 'x'.repeat(5000) }), 413, 'request_too_large', null],
    ]
    for (const [init, status, code, param] of cases) {
      const response = await app.request('/v1/embeddings', init)
      const body = (await response.json()) as { error: { code: string; param: string | null; type: string } }
      expect([response.status, body.error.code, body.error.param], String(init.body).slice(0, 40)).toEqual([
        status,
        code,
        param,
      ])
      expect(response.headers.get('x-request-id')).toBeTruthy()
    }
  })

  it('authenticates bearer keys: 401 missing or unknown, 403 revoked', async () => {
    const { key, keyStore } = await keyStoreWith()
    const app = appWith(fakeDeps({ keyStore }))
    expect((await app.request('/v1/embeddings', post({ input: 'a' }))).status).toBe(401)
    const unknown = await app.request(
      '/v1/embeddings',
      post({ input: 'a' }, { authorization: 'Bearer ec_nope' }),
    )
    expect(unknown.status).toBe(401)
    const unknownBody = await unknown.text()
    expect(unknownBody).toContain('invalid_api_key')
    expect(unknownBody).not.toContain('ec_nope')
    expect(
      (await app.request('/v1/embeddings', post({ input: 'a' }, { authorization: `Bearer ${key}` }))).status,
    ).toBe(200)
    const revoked = await keyStoreWith(true)
    const revokedApp = appWith(fakeDeps({ keyStore: revoked.keyStore }))
    const response = await revokedApp.request(
      '/v1/embeddings',
      post({ input: 'a' }, { authorization: `Bearer ${revoked.key}` }),
    )
    expect(response.status).toBe(403)
  })

  it('answers 429 with retry-after, charging tokens against the key limits', async () => {
    const charges: { keyId: string; requests: number; tokens: number; tokensPerMinute: number }[] = []
    const rateLimiter: GatewayDeps['rateLimiter'] = {
      check: async (keyId, cost, limits) => {
        charges.push({ keyId, ...cost, tokensPerMinute: limits.tokensPerMinute })
        // The window is spent by earlier requests: the tokens charge is refused though it fits a minute.
        return cost.tokens > 0 ? { allowed: false, retryAfter: 12.2 } : { allowed: true }
      },
    }
    const { key, keyStore } = await keyStoreWith()
    const limited = { ...keyRecord(), tokensPerMinute: 50 }
    const deps = fakeDeps({
      rateLimiter,
      keyStore: { ...keyStore, findByHash: async (hash) => ({ ...limited, hash }) },
    })
    const response = await appWith(deps).request(
      '/v1/embeddings',
      post({ input: 'abcdef' }, { authorization: `Bearer ${key}` }),
    )
    expect(response.status).toBe(429)
    expect(response.headers.get('retry-after')).toBe('13')
    expect(charges).toEqual([
      { keyId: limited.id, requests: 1, tokens: 0, tokensPerMinute: 50 },
      { keyId: limited.id, requests: 0, tokens: 8, tokensPerMinute: 50 },
    ])
  })

  it('hides internal errors behind a 500 that carries the request id', async () => {
    const deps = fakeDeps({
      tokenizer: {
        encode: () => {
          throw new Error('secret internals at /srv/x.ts:1')
        },
      },
    })
    const response = await appWith(deps).request(
      '/v1/embeddings',
      post({ input: 'a' }, { 'x-request-id': 'req-1' }),
    )
    expect(response.status).toBe(500)
    const text = await response.text()
    expect(text).toContain('req-1')
    expect(text).not.toContain('secret internals')
  })

  it('answers CORS preflights without a key and exposes the edgeclip headers, for the configured origins only', async () => {
    const { keyStore } = await keyStoreWith()
    const preflight = (app: ReturnType<typeof appWith>, origin: string) =>
      app.request('/v1/embeddings', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      })
    const listed = createGatewayApp({
      getDeps: () => fakeDeps({ keyStore }),
      config: resolveGatewayConfig({ corsOrigins: ['https://app.example'] }),
    })
    const allowed = await preflight(listed, 'https://app.example')
    expect(allowed.status).toBe(204)
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example')
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization')
    const stranger = await preflight(listed, 'https://evil.example')
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull()
    const response = await listed.request('/v1/embeddings', {
      ...post({ input: 'a' }),
      headers: { origin: 'https://app.example' },
    })
    expect(response.headers.get('access-control-expose-headers')).toContain('x-edgeclip-route')

    // Off by default: no CORS headers at all, so browsers keep other origins' pages out.
    const closed = await preflight(appWith(fakeDeps({ keyStore })), 'https://app.example')
    expect(closed.headers.get('access-control-allow-origin')).toBeNull()
    const anyOrigin = createGatewayApp({
      getDeps: () => fakeDeps({ keyStore }),
      config: resolveGatewayConfig({ corsOrigins: ['*'] }),
    })
    expect((await preflight(anyOrigin, 'https://x.example')).headers.get('access-control-allow-origin')).toBe(
      '*',
    )
  })

  it('lists the model with its limits and reports health and readiness', async () => {
    const app = appWith(fakeDeps())
    const models = (await (await app.request('/v1/models')).json()) as { data: Record<string, unknown>[] }
    expect(models.data[0]).toMatchObject({
      id: 'jina-clip-v1',
      dimensions: 768,
      max_inputs: 2048,
      max_tokens: 512,
      // What is loaded, as every cache key names it.
      towers: {
        edge: FAKE_EDGE_IDENTITY,
        backend_text: FAKE_BACKEND_IDENTITY.text,
        backend_image: FAKE_BACKEND_IDENTITY.image,
      },
    })
    expect((await app.request('/healthz')).status).toBe(200)
    expect((await app.request('/readyz')).status).toBe(200)
    const notReady = appWith(
      fakeDeps({
        backend: { name: 'down', embedBatch: async () => ({ items: [] }), ready: async () => false },
      }),
    )
    expect((await notReady.request('/readyz')).status).toBe(503)
    expect((await app.request('/nope')).status).toBe(404)
  })

  it('publishes an OpenAPI document generated from the validating schemas, and a docs page', async () => {
    const app = appWith(fakeDeps())
    const document = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<string, unknown>
      components: { schemas: Record<string, unknown> }
    }
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/embeddings', '/v1/models', '/healthz', '/readyz']),
    )
    expect(document.components.schemas).toHaveProperty('EmbeddingsRequest')
    const docs = await (await app.request('/docs')).text()
    expect(docs).toContain('openapi.json')
    // Swagger UI from the gateway itself (src/node/docs-assets.test.ts, test/workers/docs.test.ts), no CDN.
    expect(docs).not.toMatch(/(src|href)="https?:/)
  })
})
