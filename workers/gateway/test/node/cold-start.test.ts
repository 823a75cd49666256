// A Modal web endpoint scaled to zero, as the client sees it through the Node gateway: while the
// container boots (every request, /readyz included, is held) a request that needs the backend gets
// 503 backend_cold_start with retry-after within EDGECLIP_COLD_WAIT_MS — not a 504 after the
// backend timeout — and once it has booted the same request is served by the backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ProtocolBackend, startProtocolBackend } from './support/protocol-backend'
import { fixtureModel, fixtureTower, startTestGateway, type TestGateway } from './support/test-gateway'

const LONG_TEXT = 'the cat and the dog sit on the red car in the city at night'

let boot: () => void
let backend: ProtocolBackend
let gateway: TestGateway

beforeAll(async () => {
  const booted = new Promise<void>((resolve) => {
    boot = resolve
  })
  backend = await startProtocolBackend({
    spec: (await fixtureModel()).spec,
    textTower: await fixtureTower(),
    booted,
  })
  gateway = await startTestGateway({
    EDGECLIP_AUTH: 'off',
    MODAL_URL: backend.url,
    EDGECLIP_COLD_WAIT_MS: '300',
    EDGECLIP_COLD_START_MS: '30000',
  })
})
afterAll(async () => {
  boot?.()
  await gateway?.close()
  await backend?.close()
})

const embed = () =>
  fetch(`${gateway.url}/v1/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input: LONG_TEXT }),
  })

describe('a cold Modal backend behind the Node gateway', () => {
  it('answers 503 with retry-after while it boots, then serves from the backend', async () => {
    const cold = await embed()
    const body = (await cold.json()) as { error: { code: string } }
    expect([cold.status, body.error.code]).toEqual([503, 'backend_cold_start'])
    const retryAfter = Number(cold.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(30)
    expect(backend.batches).toEqual([])

    boot()
    await expect.poll(async () => (await embed()).status).toBe(200)
    const warm = await embed()
    expect(warm.status).toBe(200)
    expect(['backend', 'cache']).toContain(warm.headers.get('x-edgeclip-route'))
    expect(backend.batches.length).toBeGreaterThan(0)
  })
})
