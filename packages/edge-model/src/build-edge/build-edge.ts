// The edge build: fp32 text_model.onnx -> int8 weights, int8 embedding table outside the graph,
// layers split into parts, each part with external data. Pure: bytes in, files (name -> bytes) out.
import {
  EDGE_FORMAT,
  EDGE_MANIFEST_FILE,
  type EdgeManifest,
  edgeBuildId,
  edgeFileSha256,
} from '../edge-runner/edge-manifest'
import { encodeEmbeddingTable, extractEmbeddingTable, INPUTS_EMBEDS } from '../embedding-table'
import { moveToExternalData } from '../external-data'
import { decodeModel, encodeModel, graphOf, type ModelProto } from '../onnx-graph'
import { quantizeInt8, quantizeQ4 } from '../quantize'
import { rowSoftmax } from '../row-softmax'
import { splitLayers } from '../split-layers'

export interface BuildEdgeOptions {
  /** Token-id input; defaults to the graph's only int64 input (`input_ids` for jina-clip-v1). */
  idsInput?: string
  weights?: 'int8' | 'q4'
  /** Parts the encoder is split into: one per Worker. */
  parts?: number
}

export const EDGE_TABLE_FILE = 'embeddings.int8'

export interface EdgeBuild {
  manifest: EdgeManifest
  /** File name -> bytes, manifest.json included. */
  files: Map<string, Uint8Array>
}

export async function buildEdgeModel(fp32: Uint8Array, options: BuildEdgeOptions = {}): Promise<EdgeBuild> {
  const model = decodeModel(fp32)
  const graph = graphOf(model)
  const idsInput =
    options.idsInput ?? graph.input?.find((input) => input.type?.tensorType?.elemType === 7)?.name
  if (!idsInput) throw new Error('the text model has no int64 token-id input')
  const output = graph.output?.[0]?.name
  if (!output) throw new Error('the text model has no output')
  const weights = options.weights ?? 'int8'
  const parts = options.parts ?? 1
  if (!(Number.isInteger(parts) && parts >= 1)) throw new RangeError('parts must be a whole number >= 1')
  const table = extractEmbeddingTable(model, idsInput)
  const quantized = quantizeWeights(model, weights)
  if (quantized === 0) throw new Error('the text model has no weight MatMul to quantize')
  const files = new Map<string, Uint8Array>()
  const tableBytes = encodeEmbeddingTable(table)
  files.set(EDGE_TABLE_FILE, tableBytes)
  const split = splitLayers(model, INPUTS_EMBEDS, parts, table.width).map((part, index) => {
    const file = `part-${index}.onnx`
    const data = `${file}.data`
    const dataBytes = moveToExternalData(part.model, data)
    const graphBytes = encodeModel(part.model)
    files.set(file, graphBytes)
    files.set(data, dataBytes)
    return { file, data, part, graphBytes, dataBytes }
  })
  const unnamed: Omit<EdgeManifest, 'buildId'> = {
    format: EDGE_FORMAT,
    weights,
    embedsInput: INPUTS_EMBEDS,
    idsInput,
    output,
    table: {
      file: EDGE_TABLE_FILE,
      rows: table.rows,
      width: table.width,
      bytes: tableBytes.length,
      sha256: await edgeFileSha256(tableBytes),
    },
    parts: await Promise.all(
      split.map(async ({ file, data, part, graphBytes, dataBytes }) => ({
        file,
        data,
        inputs: part.inputs,
        outputs: part.outputs,
        bytes: graphBytes.length + dataBytes.length,
        sha256: { file: await edgeFileSha256(graphBytes), data: await edgeFileSha256(dataBytes) },
      })),
    ),
  }
  // First in the file, so a reader (and `model build-edge`'s output) sees which build this is.
  const manifest: EdgeManifest = { buildId: await edgeBuildId(unnamed), ...unnamed }
  files.set(EDGE_MANIFEST_FILE, new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`))
  return { manifest, files }
}

/**
 * Quantized weights and row-wise softmax: the numerics every edge build and single-file variant
 * share, so a text's vector depends on its own tokens only (not on its batch or its padding).
 */
function quantizeWeights(model: ModelProto, weights: 'int8' | 'q4'): number {
  rowSoftmax(model)
  return weights === 'int8' ? quantizeInt8(model) : quantizeQ4(model)
}

/** A single-file variant with the original I/O (input_ids -> text_embeds): int8 or 4-bit weights only. */
export function quantizeTextModel(fp32: Uint8Array, weights: 'int8' | 'q4'): Uint8Array {
  const model = decodeModel(fp32)
  quantizeWeights(model, weights)
  return encodeModel(model)
}
