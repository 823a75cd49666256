// Takes the token-embedding table out of the graph: the graph then reads `inputs_embeds`, and the
// rows come from an int8 table looked up outside ONNX Runtime (23 MB instead of 94 MB of fp32 heap).
import {
  DataType,
  floatValues,
  graphOf,
  type ModelProto,
  onnx,
  tensorDims,
  type ValueInfoProto,
} from '../onnx-graph'
import { type Int8EmbeddingTable, quantizeRowsInt8 } from './int8-table'

export const INPUTS_EMBEDS = 'inputs_embeds'

/**
 * Removes the Gather that reads a [rows, width] float table with the graph input `inputIdsName`, and
 * returns the table quantized per row. `input_ids` stays an input when the graph still needs it (the
 * pad mask reads it).
 */
export function extractEmbeddingTable(model: ModelProto, inputIdsName: string): Int8EmbeddingTable {
  const graph = graphOf(model)
  const initializers = new Map((graph.initializer ?? []).map((tensor) => [tensor.name ?? '', tensor]))
  const gather = (graph.node ?? []).find(
    (node) =>
      node.opType === 'Gather' &&
      node.input?.[1] === inputIdsName &&
      tensorDims(initializers.get(node.input?.[0] ?? '') ?? {}).length === 2,
  )
  if (!gather) throw new Error(`no Gather reads a 2-D embedding table with ${inputIdsName}`)
  const tableName = gather.input?.[0] ?? ''
  const table = initializers.get(tableName)!
  const [rows = 0, width = 0] = tensorDims(table)
  const gatheredName = gather.output?.[0] ?? ''
  graph.node = (graph.node ?? []).filter((node) => node !== gather)
  for (const node of graph.node) {
    node.input = (node.input ?? []).map((input) => (input === gatheredName ? INPUTS_EMBEDS : input))
  }
  for (const output of graph.output ?? []) if (output.name === gatheredName) output.name = INPUTS_EMBEDS
  graph.initializer = (graph.initializer ?? []).filter((tensor) => tensor !== table)
  graph.input = (graph.input ?? []).filter(
    (input) => input.name !== inputIdsName || graph.node!.some((node) => node.input?.includes(inputIdsName)),
  )
  graph.input.push(embedsInputInfo(width))
  if (table.dataType !== DataType.float) throw new Error(`embedding table ${tableName} is not float32`)
  return quantizeRowsInt8(floatValues(table), rows, width)
}

function embedsInputInfo(width: number): ValueInfoProto {
  const dim = (value: string | number) =>
    onnx.TensorShapeProto.Dimension.create(
      typeof value === 'string' ? { dimParam: value } : { dimValue: value },
    )
  return onnx.ValueInfoProto.create({
    name: INPUTS_EMBEDS,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: DataType.float,
        shape: onnx.TensorShapeProto.create({ dim: [dim('batch'), dim('sequence'), dim(width)] }),
      }),
    }),
  })
}
