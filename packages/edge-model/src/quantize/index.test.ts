import * as ort from 'onnxruntime-web'
import { describe, expect, it } from 'vitest'
import { DataType, encodeModel, onnx, rawTensor } from '../onnx-graph'
import { rowSoftmax } from '../row-softmax'
import { quantizeInt8 } from '.'

ort.env.wasm.numThreads = 1

const K = 64
const N = 64
const values = (count: number, seed: number) =>
  Float32Array.from({ length: count }, (_, index) => Math.sin(index * 1.7 + seed) * (1 + (index % 5)))

/** x [rows, K] -> x·W, once per input through two weight MatMuls that share it, and a Softmax. */
function model() {
  const info = (name: string, dims: (number | string)[]) =>
    onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: {
          elemType: DataType.float,
          shape: {
            dim: dims.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })),
          },
        },
      },
    })
  return onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: onnx.GraphProto.create({
      name: 'two-projections',
      input: [info('x', ['rows', K])],
      output: [info('left', ['rows', N]), info('right', ['rows', N]), info('probabilities', ['rows', K])],
      initializer: [
        rawTensor(
          'w_left',
          [K, N],
          DataType.float,
          values(K * N, 1).map((value) => value / 40),
        ),
        rawTensor(
          'w_right',
          [K, N],
          DataType.float,
          values(K * N, 2).map((value) => value / 40),
        ),
      ],
      node: [
        onnx.NodeProto.create({ opType: 'MatMul', input: ['x', 'w_left'], output: ['left'] }),
        onnx.NodeProto.create({ opType: 'MatMul', input: ['x', 'w_right'], output: ['right'] }),
        onnx.NodeProto.create({ opType: 'Softmax', input: ['x'], output: ['probabilities'] }),
      ],
    }),
  })
}

async function run(bytes: Uint8Array, x: Float32Array, rows: number) {
  const session = await ort.InferenceSession.create(bytes)
  const outputs = await session.run({ x: new ort.Tensor('float32', x, [rows, K]) })
  await session.release()
  return Object.fromEntries(
    Object.entries(outputs).map(([name, tensor]) => [name, tensor.data as Float32Array]),
  )
}

describe('per-row int8 and row-wise softmax', () => {
  it('quantize each activation row on its own: a row gives the same bits beside any other row', async () => {
    const quantized = model()
    expect(rowSoftmax(quantized)).toBe(1)
    expect(quantizeInt8(quantized)).toBe(2)
    const ops = quantized.graph!.node!.map((node) => node.opType)
    expect(ops).not.toContain('Softmax')
    expect(ops).not.toContain('MatMul')
    expect(ops.filter((op) => op === 'MatMulInteger')).toHaveLength(2)
    // One quantization of x serves both weights.
    expect(ops.filter((op) => op === 'ReduceMax')).toHaveLength(2)
    const bytes = encodeModel(quantized)
    const row = values(K, 3)
    // A neighbour 100x larger: a scale over the whole batch would coarsen `row` 100-fold.
    const loud = values(K, 4).map((value) => value * 100)
    const alone = await run(bytes, row, 1)
    const together = await run(bytes, Float32Array.from([...loud, ...row]), 2)
    for (const name of ['left', 'right', 'probabilities'])
      expect(Array.from(together[name]!.subarray(N))).toEqual(Array.from(alone[name]!))
    const reference = await run(encodeModel(model()), row, 1)
    for (const name of ['left', 'right']) {
      const scale = Math.max(...reference[name]!.map(Math.abs))
      reference[name]!.forEach((value, index) => {
        expect(Math.abs(alone[name]![index]! - value)).toBeLessThan(scale * 0.02)
      })
    }
    reference.probabilities!.forEach((value, index) => {
      expect(alone.probabilities![index]).toBeCloseTo(value, 6)
    })
  })
})
