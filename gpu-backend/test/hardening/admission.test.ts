// The embedder's bound and its shutdown, on the fixture towers: images still decoding count against
// the queue bound (a burst must not decode without limit), and drain() waits for them and runs their
// items at once. Decoding is held at a gate, so "still decoding" is a state, not a race.
import {
  type BackendItem,
  fixtureModelSpec,
  OnnxImageTower,
  OnnxTextTower,
  preprocessImage,
} from '@edgeclip/core'
import { SharpImageDecoder } from '@edgeclip/core/node'
import { createNodeSession } from '@edgeclip/core/onnx-node'
import { buildFixtureTextModel, buildFixtureVisionModel } from '@edgeclip/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { BatchEmbedder } from '../../src'
import { expectClose, noiseImage, referenceVectors, textIds } from '../backend-test-support'

const towers: { release(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(towers.splice(0).map((tower) => tower.release()))
})

/** An embedder whose image decoding waits until `open()`; items wait ten minutes for company. */
async function gatedEmbedder(maxQueuedImages: number) {
  const spec = fixtureModelSpec
  const textTower = new OnnxTextTower(await createNodeSession(buildFixtureTextModel()), spec)
  const imageTower = new OnnxImageTower(await createNodeSession(buildFixtureVisionModel()), spec)
  towers.push(textTower, imageTower)
  const decoder = new SharpImageDecoder()
  let open = () => {}
  const gate = new Promise<void>((resolve) => {
    open = resolve
  })
  const started = { count: 0 }
  const embedder = new BatchEmbedder({
    spec,
    textTower,
    imageTower,
    decoder,
    prepareImage: async (bytes) => {
      started.count++
      await gate
      return preprocessImage(await decoder.decode(bytes), spec.image)
    },
    text: { maxBatchSize: 16, maxWaitMs: 600_000 },
    image: { maxBatchSize: 16, maxWaitMs: 600_000 },
    maxQueuedTexts: 16,
    maxQueuedImages,
  })
  return { embedder, open, started }
}

const images = async (count: number, seed: number): Promise<BackendItem[]> =>
  Promise.all(
    Array.from({ length: count }, async (_, index) => ({
      kind: 'image' as const,
      bytes: await noiseImage(seed + index),
    })),
  )

describe('admission', () => {
  it('counts images still decoding against the queue bound: the next request gets 503 before decoding', async () => {
    const { embedder, open, started } = await gatedEmbedder(4)
    const first = embedder.embed(await images(3, 1))
    expect(started.count).toBe(3)
    const second = embedder.embed(await images(2, 10))
    await expect(second).rejects.toMatchObject({ status: 503, code: 'backend_overloaded' })
    expect(started.count).toBe(3)
    open()
    const drained = embedder.drain()
    expect((await first).items.every((item) => item.ok)).toBe(true)
    await drained
    // The room is back once the first request is through.
    const third = embedder.embed(await images(4, 20))
    await embedder.drain()
    expect((await third).items.every((item) => item.ok)).toBe(true)
  })
})

describe('drain', () => {
  it('waits for a request still decoding and runs its items without their wait, each at its index', async () => {
    const { embedder, open, started } = await gatedEmbedder(8)
    const items: BackendItem[] = [
      { kind: 'text', ids: textIds(1, 7) },
      ...(await images(2, 30)),
      { kind: 'text', ids: textIds(2, 5) },
    ]
    const request = embedder.embed(items)
    expect(started.count).toBe(2)
    const drained = embedder.drain().then(() => 'drained')
    // Nothing is queued yet, but the request is in flight: drain must not resolve before it.
    const first = await Promise.race([drained, new Promise((resolve) => setImmediate(resolve, 'waiting'))])
    expect(first).toBe('waiting')
    open()
    const result = await request
    await drained
    const expected = await referenceVectors(items)
    result.items.forEach((item, index) => {
      if (!item.ok) throw new Error(`item ${index} failed: ${item.message}`)
      expectClose(item.vector, expected[index]!)
    })
  })
})
