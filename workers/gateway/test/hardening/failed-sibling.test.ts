// A request fails as a whole when one item fails, so once the backend has refused an item the
// edge tower must not go on embedding the request's texts for nobody. The real Node gateway over
// HTTP, the fixture model's real tower; the backend is in-process and refuses the image it gets.
import type { BackendItem, TextTower } from '@edgeclip/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { edgeQueueFor } from '../../src/pipeline'
import { dataUri, solidPng } from '../node/support/png'
import { fixtureModel, fixtureTower, startTestGateway, type TestGateway } from '../node/support/test-gateway'

let gateway: TestGateway
let loadTower: () => Promise<TextTower>
let edgeBatches = 0
let backendRefused: () => void
const refused = new Promise<void>((resolve) => {
  backendRefused = resolve
})

/** The fixture tower; its first batch waits until the backend has refused, as on a slow tower. */
function waitingTower(tower: TextTower): TextTower {
  return Object.assign(Object.create(tower) as TextTower, {
    async embed(...args: Parameters<TextTower['embed']>) {
      edgeBatches++
      if (edgeBatches === 1) {
        await refused
        // The refusal travels through promises only: one macrotask later it has failed the request.
        await new Promise((resolve) => setImmediate(resolve))
      }
      return tower.embed(...args)
    },
  })
}

beforeAll(async () => {
  const tower = waitingTower(await fixtureTower())
  loadTower = async () => tower
  gateway = await startTestGateway(
    { BACKEND_URL: 'off', EDGECLIP_AUTH: 'off' },
    {
      edgeTower: loadTower,
      backend: {
        name: 'refusing',
        embedBatch: async (_model: string, items: readonly BackendItem[]) => {
          queueMicrotask(backendRefused)
          return {
            items: items.map(() => ({
              ok: false as const,
              status: 422,
              code: 'invalid_image',
              message: 'the image could not be decoded',
            })),
          }
        },
        ready: async () => true,
      },
    },
  )
})

afterAll(async () => {
  await gateway?.close()
  await (await fixtureModel()).edgeTower!().then((tower) => tower.release())
})

describe('an item refused by the backend', () => {
  it('fails the request and stops the edge batches of its texts', async () => {
    // 64 short texts (four edge batches of 16) and one image for the backend.
    const texts = Array.from({ length: 64 }, (_, index) => `sibling text ${index}`)
    const image = { image: dataUri(solidPng(2, 2, [9, 9, 9])) }
    const response = await fetch(`${gateway.url}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: [...texts, image] }),
    })
    const body = (await response.json()) as { error: { code: string; param: string } }
    expect([response.status, body.error.code, body.error.param]).toEqual([422, 'invalid_image', 'input[64]'])
    // The gateway's queue for this tower: between two batches of one loop it is never empty at a
    // macrotask boundary, so empty means the request's edge work has ended.
    const queue = edgeQueueFor(loadTower, { maxRunning: 1, maxWaiting: 0 })
    while (queue.running > 0 || queue.waiting > 0) await new Promise((resolve) => setImmediate(resolve))
    expect(edgeBatches).toBe(1)
  })
})
