// Output handling of the ONNX towers over a session written in plain code (real graphs: testkit's tests).
import { describe, expect, it } from 'vitest'
import { fixtureModelSpec } from '../model-spec'
import { OnnxImageTower, type OnnxSession, OnnxTextTower, type TensorValue } from '.'

const { dimensions } = fixtureModelSpec

/** A session with the real model's names whose output the test chooses. */
function sessionReturning(
  output: (feeds: Record<string, TensorValue>) => TensorValue | undefined,
): OnnxSession {
  return {
    inputNames: [fixtureModelSpec.onnx.text.input],
    outputNames: [fixtureModelSpec.onnx.text.output],
    async run(feeds) {
      const value = output(feeds)
      return value ? { [fixtureModelSpec.onnx.text.output]: value } : {}
    },
    release: async () => {},
  }
}

describe('ONNX tower outputs', () => {
  it('decodes float16 outputs (fp16 exports) to float32 rows', async () => {
    // 1, -2, 0.5, the smallest subnormal, then zeros.
    const halves = new Uint16Array(2 * dimensions)
    halves.set([0x3c00, 0xc000, 0x3800, 0x0001])
    halves[dimensions] = 0x7bff
    const tower = new OnnxTextTower(
      sessionReturning(() => ({ type: 'float16', data: halves, dims: [2, dimensions] })),
      fixtureModelSpec,
    )
    const [first, second] = await tower.embed([
      [101, 102],
      [101, 102],
    ])
    expect(Array.from(first?.subarray(0, 5) ?? [])).toEqual([1, -2, 0.5, 2 ** -24, 0])
    expect(second?.[0]).toBe(65504)
  })

  const mismatches: [string, () => TensorValue | undefined, string][] = [
    ['a missing output', () => undefined, 'got nothing'],
    [
      'an extra axis',
      () => ({ type: 'float32', data: new Float32Array(dimensions), dims: [1, dimensions, 1] }),
      '[1, 768, 1]',
    ],
    [
      'one row too few',
      () => ({ type: 'float32', data: new Float32Array(dimensions), dims: [1, dimensions] }),
      '[1, 768]',
    ],
    [
      'int64 values',
      () => ({ type: 'int64', data: new BigInt64Array(2 * dimensions), dims: [2, dimensions] }),
      'int64',
    ],
  ]
  it.each(mismatches)('calls %s a model mismatch', async (_, output, detail) => {
    const tower = new OnnxTextTower(
      sessionReturning(output as () => TensorValue | undefined),
      fixtureModelSpec,
    )
    await expect(
      tower.embed([
        [101, 102],
        [101, 102],
      ]),
    ).rejects.toMatchObject({
      status: 500,
      code: 'model_mismatch',
      message: expect.stringContaining(detail),
    })
  })

  it('returns rows that do not share memory with the runtime output', async () => {
    const data = new Float32Array(dimensions).fill(3)
    const tower = new OnnxTextTower(
      sessionReturning(() => ({ type: 'float32', data, dims: [1, dimensions] })),
      fixtureModelSpec,
    )
    const [row] = await tower.embed([[101, 102]])
    data.fill(0)
    expect(row?.[0]).toBe(3)
  })

  it('feeds the image tower one [N, 3, S, S] tensor in input order', async () => {
    const { size } = fixtureModelSpec.image
    let fed: TensorValue | undefined
    const session: OnnxSession = {
      inputNames: [fixtureModelSpec.onnx.image.input],
      outputNames: [fixtureModelSpec.onnx.image.output],
      async run(feeds) {
        fed = feeds[fixtureModelSpec.onnx.image.input]
        return {
          [fixtureModelSpec.onnx.image.output]: {
            type: 'float32',
            data: new Float32Array(2 * dimensions),
            dims: [2, dimensions],
          },
        }
      },
      release: async () => {},
    }
    const pixels = 3 * size * size
    await new OnnxImageTower(session, fixtureModelSpec).embed([
      new Float32Array(pixels).fill(1),
      new Float32Array(pixels).fill(2),
    ])
    expect(fed?.dims).toEqual([2, 3, size, size])
    expect([fed?.data[0], fed?.data[pixels - 1], fed?.data[pixels], fed?.data[2 * pixels - 1]]).toEqual([
      1, 1, 2, 2,
    ])
  })
})
