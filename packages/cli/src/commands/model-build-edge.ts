// `edgeclip model build-edge`: turns the published fp32 text_model.onnx into the edge artifact (int8
// weights, int8 embedding table outside the graph, the encoder split into parts with external data).
import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { buildEdgeModelFiles } from '@edgeclip/edge-model/node'
import { type CommandIo, resolveUserPath, UsageError } from '../command'
import { modelDir, selectedModelSpec } from '../model-selection'

export const modelBuildEdgeUsage = `  edgeclip model build-edge [--in text_model.onnx] [--out DIR] [--parts N] [--weights int8|q4]

Writes the edge text tower into DIR (default <model dir>/edge): manifest.json, embeddings.int8 and
part-<i>.onnx with part-<i>.onnx.data. --parts (default 2) is the number of Workers the encoder is
split across; --weights q4 trades speed and accuracy for size. --in defaults to the model dir's
onnx/text_model.onnx.`

export async function modelBuildEdgeCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      in: { type: 'string' },
      out: { type: 'string' },
      parts: { type: 'string', default: '2' },
      weights: { type: 'string', default: 'int8' },
      dir: { type: 'string' },
    },
    allowPositionals: true,
  })
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`)
  const parts = Number(values.parts)
  if (!(Number.isInteger(parts) && parts >= 1 && parts <= 12))
    throw new UsageError('--parts must be a whole number from 1 to 12')
  const weights = values.weights
  if (weights !== 'int8' && weights !== 'q4') throw new UsageError('--weights must be int8 or q4')
  const spec = selectedModelSpec(io)
  const dir = modelDir(io, spec, values.dir)
  const textFile = spec.onnx.textFiles.fp32?.path ?? 'onnx/text_model.onnx'
  const input = values.in ? resolveUserPath(io, values.in) : join(dir, textFile)
  const out = values.out ? resolveUserPath(io, values.out) : join(dir, 'edge')
  const readable = await access(input).then(
    () => true,
    () => false,
  )
  if (!readable) {
    io.stderr(`error: ${input} does not exist (run \`edgeclip model fetch\` or pass --in)\n`)
    return 1
  }
  io.stderr(
    `building the edge text tower from ${input} (${weights}, ${parts} part${parts === 1 ? '' : 's'})\n`,
  )
  const { manifest, bytes } = await buildEdgeModelFiles(input, out, {
    idsInput: spec.onnx.text.input,
    weights,
    parts,
  })
  io.stdout(
    `${JSON.stringify({ out, buildId: manifest.buildId, bytes, table: manifest.table.bytes, parts: manifest.parts.map((part) => ({ file: part.file, bytes: part.bytes })) })}\n`,
  )
  return 0
}
