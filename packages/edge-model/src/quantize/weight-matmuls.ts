// Finds MatMul nodes whose right operand is a 2-D float32 initializer: the weights worth shrinking.
import { DataType, type GraphProto, type NodeProto, type TensorProto, tensorDims } from '../onnx-graph'

export interface WeightMatMul {
  node: NodeProto
  weight: TensorProto
  /** Rows (input features) and columns (output features) of the weight. */
  k: number
  n: number
}

/** Smaller weights stay float: quantizing them saves little and costs accuracy. */
const MIN_WEIGHT_ELEMENTS = 4096

export function weightMatMuls(graph: GraphProto): WeightMatMul[] {
  const initializers = new Map((graph.initializer ?? []).map((tensor) => [tensor.name ?? '', tensor]))
  const uses = new Map<string, number>()
  for (const node of graph.node ?? [])
    for (const input of node.input ?? []) uses.set(input, (uses.get(input) ?? 0) + 1)
  const found: WeightMatMul[] = []
  for (const node of graph.node ?? []) {
    if (node.opType !== 'MatMul' || (node.domain ?? '') !== '') continue
    const weightName = node.input?.[1] ?? ''
    const weight = initializers.get(weightName)
    if (!weight || weight.dataType !== DataType.float || uses.get(weightName) !== 1) continue
    const dims = tensorDims(weight)
    if (dims.length !== 2) continue
    const [k = 0, n = 0] = dims
    if (k * n < MIN_WEIGHT_ELEMENTS) continue
    found.push({ node, weight, k, n })
  }
  return found
}

export function removeInitializers(graph: GraphProto, names: ReadonlySet<string>): void {
  graph.initializer = (graph.initializer ?? []).filter((tensor) => !names.has(tensor.name ?? ''))
}
