import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.wasm'
import { describe, expect, it } from 'vitest'
import { createWorkersHandler } from '../../src/workers/workers-handler'
import { env } from './support/worker'

const request = () =>
  new Request('https://gateway.test/v1/embeddings', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input: 'hello world' }),
  })

describe('Workers fetch handler', () => {
  it('answers a malformed var with a 503 in the API error shape, not a crash', async () => {
    const handler = createWorkersHandler(ortWasm)
    const context = createExecutionContext()
    const response = await handler.fetch(request(), { ...env, EDGECLIP_EDGE_MAX_TOKENS: 'lots' }, context)
    await waitOnExecutionContext(context)
    expect(response.status).toBe(503)
    expect(await response.json()).toMatchObject({ error: { code: 'gateway_misconfigured' } })
  })

  it('serves without auth when EDGECLIP_AUTH is off, and with it on for any other value', async () => {
    const open = createWorkersHandler(ortWasm)
    const openResponse = await open.fetch(
      request(),
      { ...env, EDGECLIP_AUTH: 'off' },
      createExecutionContext(),
    )
    expect(openResponse.status).toBe(200)
    expect(openResponse.headers.get('x-edgeclip-route')).toMatch(/edge|cache/)

    const typo = createWorkersHandler(ortWasm)
    const typoResponse = await typo.fetch(
      request(),
      { ...env, EDGECLIP_AUTH: 'of' },
      createExecutionContext(),
    )
    expect(typoResponse.status).toBe(401)
  })
})
