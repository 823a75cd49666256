// Node builders for graph rewrites, including reductions over the last axis, whose axes moved from
// an attribute to an input at different opsets per operator.
import type onnxProto from 'onnx-proto'
import { DataType, type GraphProto, type ModelProto, type NodeProto, onnx, rawTensor } from './onnx-model'

type Attribute = onnxProto.onnx.IAttributeProto

export const intAttribute = (name: string, value: number): Attribute =>
  onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: value })

export const intsAttribute = (name: string, values: readonly number[]): Attribute =>
  onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: [...values] })

/** One node with one output, named after that output. */
export const makeNode = (
  opType: string,
  inputs: readonly string[],
  output: string,
  attributes: Attribute[] = [],
): NodeProto =>
  onnx.NodeProto.create({ opType, input: [...inputs], output: [output], name: output, attribute: attributes })

/** The model's default-domain opset version (0 when it declares none). */
export function defaultOpset(model: ModelProto): number {
  const entry = (model.opsetImport ?? []).find((item) => (item.domain ?? '') === '')
  return Number(entry?.version ?? 0)
}

/** The opset from which each reduction reads `axes` as an input rather than an attribute. */
const AXES_INPUT_FROM: Record<'ReduceMax' | 'ReduceSum', number> = { ReduceMax: 18, ReduceSum: 13 }
const LAST_AXIS = 'graph_rewrite_last_axis'

/** `opType` over the last axis, keeping it (size 1): right for every opset the model may declare. */
export function reduceLastAxis(
  model: ModelProto,
  graph: GraphProto,
  opType: keyof typeof AXES_INPUT_FROM,
  input: string,
  output: string,
): NodeProto {
  const keepdims = intAttribute('keepdims', 1)
  if (defaultOpset(model) < AXES_INPUT_FROM[opType])
    return makeNode(opType, [input], output, [keepdims, intsAttribute('axes', [-1])])
  if (!(graph.initializer ?? []).some((tensor) => tensor.name === LAST_AXIS))
    graph.initializer?.push(rawTensor(LAST_AXIS, [1], DataType.int64, new BigInt64Array([-1n])))
  return makeNode(opType, [input, LAST_AXIS], output, [keepdims])
}
