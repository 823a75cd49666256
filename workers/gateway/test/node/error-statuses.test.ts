// Every error status the API documents, triggered for real through the Node gateway over HTTP.
import { fixtureModelSpec } from '@edgeclip/core'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dataUri, solidPng } from './support/png'
import { type ProtocolBackend, startProtocolBackend } from './support/protocol-backend'
import { fixtureModel, fixtureTower, startTestGateway, type TestGateway } from './support/test-gateway'

type ErrorBody = { error: { message: string; code: string; param: string | null; type: string } }

const LONG_TEXT = 'the cat and the dog sit on the red car in the city at night'

function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${url}/v1/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

async function expectError(response: Response, status: number, code: string) {
  const text = await response.text()
  const body = JSON.parse(text) as ErrorBody
  expect([response.status, body.error.code], body.error.message).toEqual([status, code])
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type'])
  expect(text).not.toMatch(/\bat .+:\d+:\d+/)
  return { body, headers: response.headers }
}

const gateways: TestGateway[] = []
const backends: ProtocolBackend[] = []
const track = <T extends TestGateway | ProtocolBackend>(value: T, list: T[]) => {
  list.push(value)
  return value
}

let authed: TestGateway

beforeAll(async () => {
  const backend = track(
    await startProtocolBackend({ spec: fixtureModelSpec, textTower: await fixtureTower() }),
    backends,
  )
  authed = track(
    await startTestGateway({
      BACKEND_URL: backend.url,
      EDGECLIP_MAX_INPUTS: '3',
      EDGECLIP_MAX_BODY_BYTES: '4096',
    }),
    gateways,
  )
})

afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.close()))
  await Promise.all(backends.map((backend) => backend.close()))
  await (await fixtureModel()).edgeTower!().then((tower) => tower.release())
})

describe('error statuses', () => {
  it('400 for bad input, 404 for an unknown model, 413 for too many inputs or bytes, 422 for non-images', async () => {
    const { key } = await authed.createKey()
    const auth = { authorization: `Bearer ${key}` }
    await expectError(await post(authed.url, { input: [] }, auth), 400, 'empty_input')
    await expectError(await post(authed.url, '{"input":', auth), 400, 'invalid_request')
    await expectError(
      await post(authed.url, { input: 'x', model: 'gpt-embed' }, auth),
      404,
      'model_not_found',
    )
    await expectError(await post(authed.url, { input: ['a', 'b', 'c', 'd'] }, auth), 413, 'too_many_inputs')
    await expectError(await post(authed.url, { input: 'x'.repeat(5000) }, auth), 413, 'request_too_large')
    const notAnImage = Buffer.from('just some text, no image here').toString('base64')
    await expectError(
      await post(authed.url, { input: [{ image: notAnImage }] }, auth),
      422,
      'unsupported_image',
    )
  })

  it('401 without or with an unknown key, 403 once revoked', async () => {
    await expectError(await post(authed.url, { input: 'x' }), 401, 'invalid_api_key')
    await expectError(
      await post(authed.url, { input: 'x' }, { authorization: 'Bearer ec_000000000000_x' }),
      401,
      'invalid_api_key',
    )
    const { key, id } = await authed.createKey()
    expect((await post(authed.url, { input: 'x' }, { authorization: `Bearer ${key}` })).status).toBe(200)
    await authed.revokeKey(id)
    await expectError(
      await post(authed.url, { input: 'x' }, { authorization: `Bearer ${key}` }),
      403,
      'key_revoked',
    )
    // The OpenAI client maps the same responses onto its own error classes.
    const client = new OpenAI({ apiKey: key, baseURL: `${authed.url}/v1`, maxRetries: 0 })
    const error = await client.embeddings
      .create({ model: 'jina-clip-v1', input: 'x' })
      .catch((caught) => caught)
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError)
    expect(error).toMatchObject({ status: 403, code: 'key_revoked' })
    expect(error.requestID).toBeTruthy()
  })

  it('429 with retry-after past the key request limit', async () => {
    const { key } = await authed.createKey({ requestsPerMinute: 1 })
    const auth = { authorization: `Bearer ${key}` }
    expect((await post(authed.url, { input: 'x' }, auth)).status).toBe(200)
    const { headers } = await expectError(
      await post(authed.url, { input: 'x' }, auth),
      429,
      'rate_limit_exceeded',
    )
    expect(Number(headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it('503 with retry-after when the backend is needed but absent or down', async () => {
    const noBackend = track(
      await startTestGateway({ BACKEND_URL: 'off', EDGECLIP_AUTH: 'off', EDGECLIP_EDGE_MAX_TOKENS: '8' }),
      gateways,
    )
    const absent = await expectError(
      await post(noBackend.url, { input: ['ok', LONG_TEXT] }),
      503,
      'backend_unavailable',
    )
    expect(absent.body.error.param).toBe('input[1]')
    expect(Number(absent.headers.get('retry-after'))).toBeGreaterThan(0)
    // Short texts still work on the edge tower alone.
    expect((await post(noBackend.url, { input: 'ok' })).status).toBe(200)

    const closed = await startProtocolBackend({ spec: fixtureModelSpec, textTower: await fixtureTower() })
    await closed.close()
    const deadBackend = track(
      await startTestGateway({ BACKEND_URL: closed.url, EDGECLIP_AUTH: 'off' }),
      gateways,
    )
    const image = { image: dataUri(solidPng(8, 8, [1, 2, 3])) }
    const down = await post(deadBackend.url, { input: [image] })
    expect(down.status).toBe(503)
    expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it('504 when the backend hangs past the gateway backend timeout', async () => {
    const hanging = track(
      await startProtocolBackend({ spec: fixtureModelSpec, textTower: await fixtureTower(), hang: true }),
      backends,
    )
    const impatient = track(
      await startTestGateway({
        BACKEND_URL: hanging.url,
        EDGECLIP_AUTH: 'off',
        EDGECLIP_BACKEND_TIMEOUT_MS: '300',
        EDGECLIP_EDGE_MAX_TOKENS: '8',
      }),
      gateways,
    )
    const { body } = await expectError(
      await post(impatient.url, { input: LONG_TEXT }),
      504,
      'backend_timeout',
    )
    expect(body.error.type).toBe('timeout_error')
  })
})
