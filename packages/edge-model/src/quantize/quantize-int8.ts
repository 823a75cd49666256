// int8 dynamic quantization: each weight MatMul becomes com.microsoft DynamicQuantizeMatMul with a
// symmetric per-column int8 weight; activations are quantized per call by the runtime.
import {
  DataType,
  floatValues,
  graphOf,
  importOpset,
  MICROSOFT_DOMAIN,
  type ModelProto,
  rawTensor,
} from '../onnx-graph'
import { removeInitializers, weightMatMuls } from './weight-matmuls'

const INT8_MAX = 127

/** Quantizes a row-major [k, n] weight per column: q = round(w / scale), scale = max|w| / 127. */
export function quantizeColumnsInt8(
  values: Float32Array,
  k: number,
  n: number,
): { quantized: Int8Array; scales: Float32Array } {
  const scales = new Float32Array(n)
  for (let row = 0; row < k; row++) {
    for (let column = 0; column < n; column++) {
      const magnitude = Math.abs(values[row * n + column]!)
      if (magnitude > scales[column]!) scales[column] = magnitude
    }
  }
  for (let column = 0; column < n; column++) scales[column] = scales[column]! / INT8_MAX || 1
  const quantized = new Int8Array(k * n)
  for (let row = 0; row < k; row++) {
    for (let column = 0; column < n; column++) {
      const index = row * n + column
      quantized[index] = Math.round(values[index]! / scales[column]!)
    }
  }
  return { quantized, scales }
}

/** Rewrites the model in place; returns how many MatMuls it quantized. */
export function quantizeInt8(model: ModelProto): number {
  const graph = graphOf(model)
  const targets = weightMatMuls(graph)
  const replaced = new Set<string>()
  for (const { node, weight, k, n } of targets) {
    const name = weight.name ?? ''
    const { quantized, scales } = quantizeColumnsInt8(floatValues(weight), k, n)
    graph.initializer?.push(
      rawTensor(`${name}_int8`, [k, n], DataType.int8, quantized),
      rawTensor(`${name}_scale`, [n], DataType.float, scales),
      rawTensor(`${name}_zero_point`, [n], DataType.int8, new Int8Array(n)),
    )
    node.opType = 'DynamicQuantizeMatMul'
    node.domain = MICROSOFT_DOMAIN
    node.input = [node.input?.[0] ?? '', `${name}_int8`, `${name}_scale`, `${name}_zero_point`]
    replaced.add(name)
  }
  removeInitializers(graph, replaced)
  if (targets.length > 0) importOpset(model, MICROSOFT_DOMAIN, 1)
  return targets.length
}
