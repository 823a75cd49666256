// 4-bit weights: each weight MatMul becomes com.microsoft MatMulNBits (blocks of 32 along K, one
// float scale per block, the runtime's default zero point 8), which onnxruntime-web's WASM build runs.
import {
  DataType,
  floatValues,
  graphOf,
  importOpset,
  MICROSOFT_DOMAIN,
  type ModelProto,
  onnx,
  rawTensor,
} from '../onnx-graph'
import { removeInitializers, weightMatMuls } from './weight-matmuls'

const BITS = 4
const BLOCK_SIZE = 32
const ZERO_POINT = 8
const LEVEL_MAX = 15

/** Packs a row-major [k, n] weight into MatMulNBits' [n, blocks, blockSize/2] layout (low nibble first). */
export function quantizeBlocksQ4(
  values: Float32Array,
  k: number,
  n: number,
): { packed: Uint8Array; scales: Float32Array; blocks: number } {
  const blocks = Math.ceil(k / BLOCK_SIZE)
  const blobSize = (BLOCK_SIZE * BITS) / 8
  const packed = new Uint8Array(n * blocks * blobSize)
  const scales = new Float32Array(n * blocks)
  for (let column = 0; column < n; column++) {
    for (let block = 0; block < blocks; block++) {
      const start = block * BLOCK_SIZE
      const end = Math.min(k, start + BLOCK_SIZE)
      let magnitude = 0
      for (let row = start; row < end; row++)
        magnitude = Math.max(magnitude, Math.abs(values[row * n + column]!))
      const scale = magnitude / (ZERO_POINT - 1) || 1
      scales[column * blocks + block] = scale
      for (let row = start; row < end; row++) {
        const level = Math.min(
          LEVEL_MAX,
          Math.max(0, Math.round(values[row * n + column]! / scale) + ZERO_POINT),
        )
        const offset = row - start
        const byteIndex = (column * blocks + block) * blobSize + (offset >> 1)
        packed[byteIndex] = packed[byteIndex]! | (offset % 2 === 0 ? level : level << 4)
      }
      // Rows past K in the last block stay level 0; their activations are absent, so they add nothing.
    }
  }
  return { packed, scales, blocks }
}

/** Rewrites the model in place; returns how many MatMuls it quantized. */
export function quantizeQ4(model: ModelProto): number {
  const graph = graphOf(model)
  const targets = weightMatMuls(graph)
  const replaced = new Set<string>()
  for (const { node, weight, k, n } of targets) {
    const name = weight.name ?? ''
    const { packed, scales, blocks } = quantizeBlocksQ4(floatValues(weight), k, n)
    graph.initializer?.push(
      rawTensor(`${name}_q4`, [n, blocks, (BLOCK_SIZE * BITS) / 8], DataType.uint8, packed),
      rawTensor(`${name}_q4_scale`, [n * blocks], DataType.float, scales),
    )
    node.opType = 'MatMulNBits'
    node.domain = MICROSOFT_DOMAIN
    node.input = [node.input?.[0] ?? '', `${name}_q4`, `${name}_q4_scale`]
    const attributes: [string, number][] = [
      ['K', k],
      ['N', n],
      ['bits', BITS],
      ['block_size', BLOCK_SIZE],
    ]
    node.attribute = attributes.map(([attributeName, value]) =>
      onnx.AttributeProto.create({
        name: attributeName,
        type: onnx.AttributeProto.AttributeType.INT,
        i: value,
      }),
    )
    replaced.add(name)
  }
  removeInitializers(graph, replaced)
  if (targets.length > 0) importOpset(model, MICROSOFT_DOMAIN, 1)
  return targets.length
}
