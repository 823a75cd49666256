// Runs the edge artifact: token ids -> int8 table lookup -> part 0 -> ... -> pooled embeddings.
// Each part is a `PartRunner`: a local ONNX session, or a hop to the Worker that holds that part.
import type { OnnxSession, TensorValue } from '@edgeclip/core'
import { type Int8EmbeddingTable, lookupEmbeddings } from '../embedding-table'
import type { EdgeManifest } from './edge-manifest'

export type TensorMap = Record<string, TensorValue>

/** Runs one part on the tensors it declares as inputs; resolves its outputs. */
export type PartRunner = (feeds: TensorMap) => Promise<TensorMap>

export const sessionPartRunner =
  (session: OnnxSession): PartRunner =>
  (feeds) =>
    session.run(Object.fromEntries(session.inputNames.map((name) => [name, feeds[name]!])))

/** The first tensors of a run: the ids and their looked-up embeddings. */
export function initialTensors(
  manifest: EdgeManifest,
  table: Int8EmbeddingTable,
  ids: BigInt64Array,
  dims: readonly [number, number],
): TensorMap {
  return {
    [manifest.idsInput]: { type: 'int64', data: ids, dims },
    [manifest.embedsInput]: {
      type: 'float32',
      data: lookupEmbeddings(table, ids),
      dims: [dims[0], dims[1], table.width],
    },
  }
}

/** Runs parts `from..` in order, each fed from everything computed so far. */
export async function runParts(
  manifest: EdgeManifest,
  runners: readonly PartRunner[],
  tensors: TensorMap,
  from = 0,
): Promise<TensorMap> {
  let pool = tensors
  for (let index = from; index < manifest.parts.length; index++) {
    const part = manifest.parts[index]!
    const runner = runners[index]
    if (!runner) throw new Error(`no runner for part ${index}`)
    const feeds = Object.fromEntries(part.inputs.map((name) => [name, pool[name]!]))
    pool = { [manifest.idsInput]: pool[manifest.idsInput]!, ...(await runner(feeds)) }
  }
  return pool
}

/** Embeds token-id rows (padded with `padId`) through every part; one float32 row per input. */
export async function embedTokenIds(
  manifest: EdgeManifest,
  table: Int8EmbeddingTable,
  runners: readonly PartRunner[],
  batch: readonly (readonly number[])[],
  padId: number,
): Promise<Float32Array[]> {
  const sequence = Math.max(...batch.map((row) => row.length))
  const ids = new BigInt64Array(batch.length * sequence).fill(BigInt(padId))
  for (const [rowIndex, row] of batch.entries()) {
    for (const [column, id] of row.entries()) ids[rowIndex * sequence + column] = BigInt(id)
  }
  const result = await runParts(
    manifest,
    runners,
    initialTensors(manifest, table, ids, [batch.length, sequence]),
  )
  const output = result[manifest.output]
  if (!output || !(output.data instanceof Float32Array))
    throw new Error(`edge model gave no float32 ${manifest.output}`)
  const width = output.dims.at(-1) ?? 0
  const data = output.data
  return batch.map((_, rowIndex) => data.slice(rowIndex * width, (rowIndex + 1) * width))
}
