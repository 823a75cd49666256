import { describe, expect, it } from 'vitest'
import {
  decodeEmbeddingTable,
  decodeTensorBundle,
  encodeEmbeddingTable,
  encodeTensorBundle,
  lookupEmbeddings,
  moveToExternalData,
} from '.'
import { quantizeRowsInt8 } from './embedding-table'
import { DataType, onnx, rawTensor } from './onnx-graph'
import { quantizeBlocksQ4, quantizeColumnsInt8 } from './quantize'

const values = (count: number) =>
  Float32Array.from({ length: count }, (_, index) => Math.sin(index * 1.7) * (1 + (index % 5)))

describe('int8 per-column weights', () => {
  it('dequantize within half a step of each column', () => {
    const [k, n] = [40, 6]
    const weight = values(k * n)
    const { quantized, scales } = quantizeColumnsInt8(weight, k, n)
    for (let index = 0; index < k * n; index++) {
      expect(Math.abs(quantized[index]! * scales[index % n]! - weight[index]!)).toBeLessThanOrEqual(
        scales[index % n]! / 2 + 1e-6,
      )
    }
  })
})

describe('4-bit blocks (MatMulNBits layout)', () => {
  it('packs two levels a byte, low nibble first, with the default zero point 8', () => {
    const [k, n] = [70, 3]
    const weight = values(k * n)
    const { packed, scales, blocks } = quantizeBlocksQ4(weight, k, n)
    expect(blocks).toBe(3)
    for (let row = 0; row < k; row++) {
      for (let column = 0; column < n; column++) {
        const block = Math.floor(row / 32)
        const offset = row % 32
        const byte = packed[(column * blocks + block) * 16 + (offset >> 1)]!
        const level = offset % 2 === 0 ? byte & 0x0f : byte >> 4
        const scale = scales[column * blocks + block]!
        expect(Math.abs((level - 8) * scale - weight[row * n + column]!)).toBeLessThanOrEqual(
          scale / 2 + 1e-6,
        )
      }
    }
  })
})

describe('int8 embedding table', () => {
  it('looks rows up through its file layout and refuses ids outside it', () => {
    const table = quantizeRowsInt8(values(5 * 4), 5, 4)
    const decoded = decodeEmbeddingTable(encodeEmbeddingTable(table), 5, 4)
    const embeds = lookupEmbeddings(decoded, [3n, 0n])
    expect(Array.from(embeds.slice(0, 4))).toEqual(
      Array.from(table.values.slice(12, 16)).map((v) => Math.fround(v * table.scales[3]!)),
    )
    expect(() => lookupEmbeddings(decoded, [5])).toThrow(RangeError)
    expect(() => decodeEmbeddingTable(new Uint8Array(3), 5, 4)).toThrow(/expected 40/)
  })
})

describe('tensor bundle (the hop between Workers)', () => {
  it('round-trips named tensors of mixed types', () => {
    const hidden = values(2 * 3 * 4)
    const ids = BigInt64Array.from([101n, 7n, 102n, 101n, 0n, 0n])
    const decoded = decodeTensorBundle(
      encodeTensorBundle({
        input_ids: { type: 'int64', data: ids, dims: [2, 3] },
        hidden: { type: 'float32', data: hidden, dims: [2, 3, 4] },
      }),
    )
    expect(decoded.input_ids).toEqual({ type: 'int64', data: ids, dims: [2, 3] })
    expect(decoded.hidden).toEqual({ type: 'float32', data: hidden, dims: [2, 3, 4] })
  })
})

describe('external data', () => {
  it('moves large initializers to aligned offsets and keeps small ones inline', () => {
    const large = new Float32Array(1000).fill(2)
    const model = onnx.ModelProto.create({
      graph: onnx.GraphProto.create({
        initializer: [
          rawTensor('small', [2], DataType.float, new Float32Array([1, 2])),
          rawTensor('first', [1000], DataType.float, large),
          rawTensor('second', [3, 400], DataType.int8, new Int8Array(1200).fill(-1)),
        ],
      }),
    })
    const data = moveToExternalData(model, 'part.onnx.data')
    const [small, first, second] = model.graph!.initializer!
    expect(small!.rawData!.length).toBe(8)
    const location = (tensor: typeof first) =>
      Object.fromEntries(tensor!.externalData!.map((entry) => [entry.key, entry.value]))
    expect(location(first)).toEqual({ location: 'part.onnx.data', offset: '0', length: '4000' })
    expect(location(second)).toEqual({ location: 'part.onnx.data', offset: '4032', length: '1200' })
    expect(new Float32Array(data.buffer, 0, 1000)).toEqual(large)
    expect(new Int8Array(data.buffer, 4032, 1200).every((value) => value === -1)).toBe(true)
  })
})
