import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { jinaClipV1 } from '@edgeclip/core'
import * as ortNode from 'onnxruntime-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eva02Graph, eva02Rope, eva02Shape, rotateHalfMatrix, writeSyntheticEva02 } from '.'
import { seededNormal, toHalfBits } from './graph-builder'

// Two layers keep the run fast; everything else is the full tower's shape (224², patch 16, 768 wide).
const shape = { layers: 2 }
const side = eva02Shape.imageSize
const imageLength = 3 * side * side

function cosine(left: Float32Array, right: Float32Array): number {
  let dot = 0
  let leftSquares = 0
  let rightSquares = 0
  for (let index = 0; index < left.length; index++) {
    dot += left[index]! * right[index]!
    leftSquares += left[index]! ** 2
    rightSquares += right[index]! ** 2
  }
  return dot / Math.sqrt(leftSquares * rightSquares)
}

describe('synthetic EVA02 vision tower', () => {
  let dir: string
  const images = seededNormal(2 * imageLength, 5, 1)
  const run = async (path: string, data: Float32Array, batch: number) => {
    const session = await ortNode.InferenceSession.create(path)
    const outputs = await session.run({
      [jinaClipV1.onnx.image.input]: new ortNode.Tensor('float32', data, [batch, 3, side, side]),
    })
    await session.release()
    return outputs[jinaClipV1.onnx.image.output]!
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'synthetic-eva02-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('has the published sizes at full shape (86M parameters: 344 MB fp32, 172 MB fp16)', () => {
    const bytes = (precision: 'fp32' | 'fp16') =>
      eva02Graph(eva02Shape, 1, precision).initializers.reduce((sum, tensor) => sum + tensor.byteLength, 0) /
      1e6
    expect(bytes('fp32')).toBeGreaterThan(340)
    expect(bytes('fp32')).toBeLessThan(350)
    expect(bytes('fp16')).toBeCloseTo(bytes('fp32') / 2, 0)
  })

  it('keeps vision_model.onnx I/O in both precisions; fp16 agrees with fp32; rows ignore batch neighbours', async () => {
    const fp32 = await writeSyntheticEva02(join(dir, 'fp32.onnx'), { shape })
    const fp16 = await writeSyntheticEva02(join(dir, 'fp16.onnx'), { shape, precision: 'fp16' })
    expect(fp16.bytes).toBeLessThan(fp32.bytes * 0.55)
    for (const path of [fp32.path, fp16.path]) {
      const session = await ortNode.InferenceSession.create(path)
      expect(session.inputNames).toEqual(['pixel_values'])
      expect(session.outputNames).toEqual(['image_embeds'])
      await session.release()
    }
    const batched = await run(fp32.path, images, 2)
    expect(batched.type).toBe('float32')
    expect(batched.dims).toEqual([2, 768])
    const rows = batched.data as Float32Array
    const alone = (await run(fp32.path, images.slice(imageLength), 1)).data as Float32Array
    expect(cosine(alone, rows.slice(768))).toBeGreaterThan(0.99999)
    expect(cosine(rows.slice(0, 768), rows.slice(768))).toBeLessThan(0.99)
    const half = await run(fp16.path, images, 2)
    expect(half.type).toBe('float32')
    expect(cosine(half.data as Float32Array, rows)).toBeGreaterThan(0.999)
  })

  it('rotates queries and keys as EVA02 does: cls untouched, pairs turned by row and column angles', () => {
    const { cos, sin, headWidth } = eva02Rope(eva02Shape)
    expect(headWidth).toBe(64)
    expect(cos.length).toBe((14 * 14 + 1) * 64)
    expect([...cos.slice(0, 64)].every((value) => value === 1)).toBe(true)
    // Patch (row 1, column 0): first half turns by row 1's angles, second half by column 0 (none).
    const offset = (1 + 14) * 64
    expect(Math.atan2(sin[offset]!, cos[offset]!)).toBeCloseTo((1 / 14) * 16, 5)
    expect(sin[offset + 32]).toBe(0)
    const rotate = rotateHalfMatrix(4)
    const x = [1, 2, 3, 4]
    const rotated = [0, 1, 2, 3].map((column) =>
      x.reduce((sum, value, row) => sum + value * rotate[row * 4 + column]!, 0),
    )
    expect(rotated).toEqual([-2, 1, -4, 3])
  })

  it('rounds to half precision to nearest even', () => {
    const bits = toHalfBits(
      Float32Array.from([1, -2, 65504, 1e6, 2 ** -24, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 0]),
    )
    expect([...bits]).toEqual([0x3c00, 0xc000, 0x7bff, 0x7c00, 0x0001, 0x3c00, 0x3c02, 0])
  })
})
