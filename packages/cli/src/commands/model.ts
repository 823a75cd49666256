// `edgeclip model fetch`: downloads the model's files at the spec's pinned revision.

import { parseArgs } from 'node:util'
import type { OnnxVariant } from '@edgeclip/core'
import { fetchModel, ModelStoreError } from '@edgeclip/core/node'
import { type Command, type CommandIo, UsageError } from '../command'
import { modelDir, selectedModelSpec } from '../model-selection'
import { createProgressReporter } from '../progress-bar'
import { modelBuildEdgeCommand, modelBuildEdgeUsage } from './model-build-edge'
import { modelFixtureCommand, modelFixtureUsage } from './model-fixture'

const usage = `usage:
  edgeclip model fetch [--variant fp32|fp16|int8|q4] [--dir DIR] [--retries N]

Downloads the text and vision ONNX files of the variant, vocab.txt and the tokenizer/config files
into DIR (default $EDGECLIP_MODEL_DIR, else ./.edgeclip/models/<model>), resuming partial files and
checking sha256. $EDGECLIP_HF_ENDPOINT replaces https://huggingface.co (a mirror).

${modelFixtureUsage}
${modelBuildEdgeUsage}`

const variants: readonly OnnxVariant[] = ['fp32', 'fp16', 'int8', 'q4']

async function fetchCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      variant: { type: 'string', default: 'fp32' },
      dir: { type: 'string' },
      'model-dir': { type: 'string' },
      retries: { type: 'string' },
    },
    allowPositionals: true,
  })
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`)
  const variant = values.variant as OnnxVariant
  if (!variants.includes(variant)) throw new UsageError(`--variant must be one of ${variants.join(', ')}`)
  const retries = values.retries === undefined ? undefined : Number(values.retries)
  if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0)) {
    throw new UsageError('--retries must be a whole number')
  }
  const spec = selectedModelSpec(io)
  const dir = modelDir(io, spec, values.dir ?? values['model-dir'])
  const caveats = [spec.onnx.textFiles[variant]?.caveat, spec.onnx.imageFiles[variant]?.caveat]
  for (const caveat of caveats) if (caveat) io.stderr(`note: ${variant}: ${caveat}\n`)
  io.stderr(`fetching ${spec.repo}@${spec.revision} (${variant}) into ${dir}\n`)
  const result = await fetchModel({
    spec,
    dir,
    variant,
    maxRetries: retries,
    onProgress: createProgressReporter(io),
  }).catch((error: unknown) => {
    if (!(error instanceof ModelStoreError) || error.code !== 'offline') throw error
    throw new ModelStoreError(
      `${error.message}: into ${dir} (or a directory you name with --dir or EDGECLIP_MODEL_DIR). ` +
        'To try everything without the model: EDGECLIP_MODEL=fixture pnpm start',
      error.code,
    )
  })
  io.stdout(
    `${JSON.stringify({ dir, revision: spec.revision, variant, downloaded: result.downloaded, reused: result.reused, absent: result.absent })}\n`,
  )
  return 0
}

export const modelCommand: Command = {
  name: 'model',
  summary: 'model fetch | fixture: download the model files at the pinned revision, or write the fixture',
  usage,
  async run(argv, io) {
    const [action, ...rest] = argv
    if (action === 'fetch') return fetchCommand(rest, io)
    if (action === 'fixture') return modelFixtureCommand(rest, io)
    if (action === 'build-edge') return modelBuildEdgeCommand(rest, io)
    if (action === undefined || action === '--help' || action === 'help') {
      io.stdout(`${usage}\n`)
      return action === undefined ? 2 : 0
    }
    throw new UsageError(`unknown model action "${action}"`)
  },
}
