// int8 weights with per-row activation quantization, so a text's vector never depends on its batch
// neighbours: each weight MatMul becomes MatMulInteger over a uint8 activation quantized with one
// scale per row (token) and a symmetric per-column int8 weight, rescaled to float by row × column.
// com.microsoft DynamicQuantizeMatMul (the previous build) takes one activation scale over the whole
// padded batch, and MatMulIntegerToFloat only accepts a scalar A scale, hence these plain ops.
import {
  DataType,
  floatValues,
  type GraphProto,
  graphOf,
  intAttribute,
  type ModelProto,
  makeNode,
  type NodeProto,
  rawTensor,
  reduceLastAxis,
} from '../onnx-graph'
import { removeInitializers, weightMatMuls } from './weight-matmuls'

const INT8_MAX = 127
/**
 * ONNX Runtime's WASM integer GEMM (MLAS) takes an unsigned A only: the symmetric int8 activation
 * is stored shifted by 128, and MatMulInteger subtracts this zero point again.
 */
const ACTIVATION_ZERO_POINT = 128
/** Floor on a row's max |x|: an all-zero row gets a finite scale (and quantizes to all zeros). */
const MIN_ROW_MAGNITUDE = 1e-30

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

/** Shared constants of the rewritten graph. */
const constants = {
  levels: 'rowquant_levels',
  floor: 'rowquant_floor',
  shift: 'rowquant_shift',
  zeroPoint: 'rowquant_zero_point',
}

function addConstants(graph: GraphProto): void {
  graph.initializer?.push(
    rawTensor(constants.levels, [], DataType.float, new Float32Array([INT8_MAX])),
    rawTensor(constants.floor, [], DataType.float, new Float32Array([MIN_ROW_MAGNITUDE])),
    rawTensor(constants.shift, [], DataType.float, new Float32Array([ACTIVATION_ZERO_POINT])),
    rawTensor(constants.zeroPoint, [], DataType.uint8, new Uint8Array([ACTIVATION_ZERO_POINT])),
  )
}

/**
 * Rewrites the model in place; returns how many MatMuls it quantized. An activation read by several
 * weight MatMuls (query, key and value; gate and up) is quantized once.
 */
export function quantizeInt8(model: ModelProto): number {
  const graph = graphOf(model)
  const targets = weightMatMuls(graph)
  if (targets.length === 0) return 0
  addConstants(graph)
  const byNode = new Map(targets.map((target) => [target.node, target]))
  const quantizedActivations = new Map<string, { values: string; scale: string }>()
  const replaced = new Set<string>()
  const nodes: NodeProto[] = []
  for (const original of graph.node ?? []) {
    const target = byNode.get(original)
    if (!target) {
      nodes.push(original)
      continue
    }
    const activation = original.input?.[0] ?? ''
    let quantized = quantizedActivations.get(activation)
    if (!quantized) {
      // scale = max(max|x| over the row, floor) / 127; q = round(x / scale) + 128 as uint8 (1..255).
      const base = `${activation}_rowquant`
      nodes.push(
        makeNode('Abs', [activation], `${base}_abs`),
        reduceLastAxis(model, graph, 'ReduceMax', `${base}_abs`, `${base}_max`),
        makeNode('Max', [`${base}_max`, constants.floor], `${base}_magnitude`),
        makeNode('Div', [`${base}_magnitude`, constants.levels], `${base}_scale`),
        makeNode('Div', [activation, `${base}_scale`], `${base}_scaled`),
        makeNode('Round', [`${base}_scaled`], `${base}_rounded`),
        makeNode('Add', [`${base}_rounded`, constants.shift], `${base}_shifted`),
        makeNode('Cast', [`${base}_shifted`], `${base}_uint8`, [intAttribute('to', DataType.uint8)]),
      )
      quantized = { values: `${base}_uint8`, scale: `${base}_scale` }
      quantizedActivations.set(activation, quantized)
    }
    const { weight, k, n } = target
    const name = weight.name ?? ''
    const { quantized: weightValues, scales } = quantizeColumnsInt8(floatValues(weight), k, n)
    graph.initializer?.push(
      rawTensor(`${name}_int8`, [k, n], DataType.int8, weightValues),
      rawTensor(`${name}_scale`, [n], DataType.float, scales),
    )
    const output = original.output?.[0] ?? ''
    // Column scale first, then row scale: a Mul fed by Cast and by another Mul is the pattern ONNX
    // Runtime fuses into MatMulIntegerToFloat, whose kernel refuses a per-row A scale.
    nodes.push(
      makeNode('MatMulInteger', [quantized.values, `${name}_int8`, constants.zeroPoint], `${output}_int32`),
      makeNode('Cast', [`${output}_int32`], `${output}_float`, [intAttribute('to', DataType.float)]),
      makeNode('Mul', [`${output}_float`, `${name}_scale`], `${output}_columns`),
      makeNode('Mul', [`${output}_columns`, quantized.scale], output),
    )
    replaced.add(name)
  }
  graph.node = nodes
  removeInitializers(graph, replaced)
  return targets.length
}
