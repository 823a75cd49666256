// OnnxImageTower on the fixture vision model through onnxruntime-node.
import { EdgeclipError, fixtureModelSpec, OnnxImageTower, type OnnxSession } from '@edgeclip/core'
import { createNodeSession } from '@edgeclip/core/onnx-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildFixtureVisionModel } from '../../src'
import { buildTextGraph } from './test-graphs'

const { image, dimensions } = fixtureModelSpec
const pixelsPerImage = 3 * image.size * image.size
/** A tensor whose values follow a seeded sine, so two seeds give two different images. */
const picture = (seed: number) =>
  Float32Array.from({ length: pixelsPerImage }, (_, index) => Math.sin(index * 0.001 * seed + seed))

function maxAbsDiff(left: Float32Array, right: Float32Array): number {
  return left.reduce((max, value, index) => Math.max(max, Math.abs(value - (right[index] as number))), 0)
}

describe('OnnxImageTower on the fixture model', () => {
  let session: OnnxSession
  let tower: OnnxImageTower
  beforeAll(async () => {
    session = await createNodeSession(buildFixtureVisionModel())
    tower = new OnnxImageTower(session, fixtureModelSpec, { maxBatchSize: 3 })
  })
  afterAll(() => session.release())

  it('returns one row per image, in input order', async () => {
    const batch = [picture(1), picture(2), picture(3)]
    const rows = await tower.embed(batch)
    expect(rows).toHaveLength(3)
    for (const [index, tensor] of batch.entries()) {
      const [alone] = await tower.embed([tensor])
      expect(rows[index]).toHaveLength(dimensions)
      expect(maxAbsDiff(rows[index] as Float32Array, alone as Float32Array)).toBeLessThanOrEqual(1e-6)
    }
    expect(maxAbsDiff(rows[0] as Float32Array, rows[1] as Float32Array)).toBeGreaterThan(1e-3)
  })

  it('L2-normalizes when asked', async () => {
    const [row] = await tower.embed([picture(4)], { normalize: true })
    expect(Math.hypot(...(row as Float32Array))).toBeCloseTo(1, 5)
  })

  it.each([
    ['a tensor of the wrong length', new Float32Array(pixelsPerImage - 1), `${pixelsPerImage - 1} values`],
    ['a tensor that is not float32', new Float64Array(pixelsPerImage), 'not a Float32Array'],
  ])('refuses %s with a 400', async (_, tensor, detail) => {
    const error = await tower.embed([picture(1), tensor as Float32Array]).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(EdgeclipError)
    expect(error).toMatchObject({ status: 400, code: 'invalid_image_tensor' })
    expect((error as Error).message).toContain(
      `image 1 should be a float32 [3, ${image.size}, ${image.size}]`,
    )
    expect((error as Error).message).toContain(detail)
  })

  it('refuses a batch over maxBatchSize with a 400', async () => {
    const batch = Array.from({ length: 4 }, (_, index) => picture(index + 1))
    await expect(tower.embed(batch)).rejects.toMatchObject({ status: 400, code: 'batch_too_large' })
  })

  it('refuses a graph that declares no pixel_values among several inputs', async () => {
    const other = await createNodeSession(buildTextGraph({ extraInputs: ['attention_mask'] }))
    try {
      expect(() => new OnnxImageTower(other, fixtureModelSpec)).toThrow(
        expect.objectContaining({
          status: 500,
          code: 'model_mismatch',
          message: expect.stringContaining('pixel_values'),
        }),
      )
    } finally {
      await other.release()
    }
  })
})
