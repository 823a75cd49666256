// Softmax over the last axis written out as max, exp, sum and divide, so a row's probabilities are
// the same bits whatever the padded length of its batch. ONNX Runtime Web's Softmax kernel (MLAS)
// sums the exponentials in SIMD lanes whose split depends on the row length: padding a text's
// attention scores moved its probabilities by an ulp, and per-row int8 quantization downstream turns
// an ulp into a whole quantization step now and then (1.5e-4 on a normalized vector). ReduceSum
// adds in order, and the pad keys' exponentials are exact zeros at the end of the row: the same
// bits alone and padded, which testkit's edge-batch-invariance.test.ts holds ORT Web to.
import {
  defaultOpset,
  graphOf,
  type ModelProto,
  makeNode,
  type NodeProto,
  reduceLastAxis,
  toNumber,
} from '../onnx-graph'

/** Softmax's axis became "this one axis" (not "flatten from here") at this opset. */
const SOFTMAX_SINGLE_AXIS_OPSET = 13

function softmaxAxis(model: ModelProto, node: NodeProto): number | undefined {
  const attribute = node.attribute?.find((item) => item.name === 'axis')
  if (attribute) return toNumber(attribute.i)
  return defaultOpset(model) >= SOFTMAX_SINGLE_AXIS_OPSET ? -1 : undefined
}

/**
 * Rewrites every Softmax over the last axis in place; returns how many. A Softmax over another
 * axis is left as it is (attention takes it over the keys, the last axis).
 */
export function rowSoftmax(model: ModelProto): number {
  const graph = graphOf(model)
  const nodes: NodeProto[] = []
  let rewritten = 0
  for (const node of graph.node ?? []) {
    if (node.opType !== 'Softmax' || (node.domain ?? '') !== '' || softmaxAxis(model, node) !== -1) {
      nodes.push(node)
      continue
    }
    const input = node.input?.[0] ?? ''
    const output = node.output?.[0] ?? ''
    const base = `${output}_rowsoftmax`
    nodes.push(
      reduceLastAxis(model, graph, 'ReduceMax', input, `${base}_max`),
      makeNode('Sub', [input, `${base}_max`], `${base}_shifted`),
      makeNode('Exp', [`${base}_shifted`], `${base}_exp`),
      reduceLastAxis(model, graph, 'ReduceSum', `${base}_exp`, `${base}_sum`),
      makeNode('Div', [`${base}_exp`, `${base}_sum`], output),
    )
    rewritten++
  }
  graph.node = nodes
  return rewritten
}
