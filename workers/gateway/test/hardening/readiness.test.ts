// GET /readyz answers anyone, without a key or a rate limit, so it must not turn each call into
// work downstream: on Workers a check runs a text through three part Workers, on Node it calls the
// backend. A passing check is reused for a few seconds; a failing one is not, so recovery shows at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixtureModel, startTestGateway, type TestGateway } from '../node/support/test-gateway'

let gateway: TestGateway
let flaky: TestGateway
let flakyUp = false
let readyCalls = 0
let flakyCalls = 0

const countingBackend = (ready: () => boolean, count: () => void) => ({
  name: 'counting',
  embedBatch: async () => ({ items: [] }),
  ready: async () => {
    count()
    return ready()
  },
})

beforeAll(async () => {
  const env = { BACKEND_URL: 'off', EDGECLIP_AUTH: 'off' }
  gateway = await startTestGateway(env, {
    backend: countingBackend(
      () => true,
      () => readyCalls++,
    ),
  })
  flaky = await startTestGateway(env, {
    backend: countingBackend(
      () => flakyUp,
      () => flakyCalls++,
    ),
  })
})

afterAll(async () => {
  await Promise.all([gateway?.close(), flaky?.close()])
  await (await fixtureModel()).edgeTower!().then((tower) => tower.release())
})

const readyz = (target = gateway) => fetch(`${target.url}/readyz`)

describe('/readyz', () => {
  it('answers a burst of callers from one downstream check while ready', async () => {
    const statuses = await Promise.all(Array.from({ length: 20 }, async () => (await readyz()).status))
    expect(statuses.every((status) => status === 200)).toBe(true)
    expect((await readyz()).status).toBe(200)
    expect(readyCalls).toBe(1)
  })

  it('checks again on every call while not ready, so a recovery is seen at once', async () => {
    expect((await readyz(flaky)).status).toBe(503)
    expect((await readyz(flaky)).status).toBe(503)
    expect(flakyCalls).toBe(2)
    flakyUp = true
    expect((await readyz(flaky)).status).toBe(200)
  })
})
