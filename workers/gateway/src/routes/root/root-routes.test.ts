import { describe, expect, it } from 'vitest'
import { createGatewayApp } from '../../app'
import { resolveGatewayConfig } from '../../config'
import { fakeDeps } from '../../pipeline/fake-deps.test-support'

const app = createGatewayApp({ getDeps: () => fakeDeps(), config: resolveGatewayConfig({}) })

type ErrorBody = { error: { message: string; type: string; code: string } }

describe('GET /', () => {
  it('sends a browser to /docs', async () => {
    const response = await app.request('/', { headers: { accept: 'text/html,application/xhtml+xml' } })
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('/docs')
  })

  it('tells an API client where the docs and endpoints are', async () => {
    const response = await app.request('/')
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ docs: '/docs', embeddings: 'POST /v1/embeddings' })
  })
})

describe('a known path with a method it does not take', () => {
  it.each([
    ['GET', '/v1/embeddings', 'POST'],
    ['DELETE', '/v1/models', 'GET, HEAD'],
    ['POST', '/healthz', 'GET, HEAD'],
    ['PUT', '/docs', 'GET, HEAD'],
  ])('%s %s is a 405 allowing %s', async (method, path, allow) => {
    const response = await app.request(path, { method })
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe(allow)
    const body = (await response.json()) as ErrorBody
    expect(body.error).toMatchObject({ code: 'method_not_allowed', type: 'invalid_request_error' })
    expect(body.error.message).toContain(`use ${allow}`)
  })

  it('leaves the routes themselves and unknown paths alone', async () => {
    expect((await app.request('/healthz')).status).toBe(200)
    expect((await app.request('/healthz', { method: 'HEAD' })).status).toBe(200)
    const unknown = await app.request('/v2/embeddings', { method: 'POST' })
    expect(unknown.status).toBe(404)
  })
})
