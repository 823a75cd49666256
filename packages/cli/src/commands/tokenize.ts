// `edgeclip tokenize TEXT`: the ids the services would feed the text tower, for debugging and cache keys.
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { WordPieceTokenizer } from '@edgeclip/core'
import { readModelDir } from '@edgeclip/core/node'
import { type Command, type CommandIo, resolveUserPath, UsageError } from '../command'
import { isFixtureModel, modelDir, selectedModelSpec } from '../model-selection'

const usage = `usage:
  edgeclip tokenize TEXT [--vocab FILE | --model-dir DIR] [--max-length N] [--truncate]

Prints {"ids":[...],"tokens":N}: ids with [CLS] and [SEP], N the count before truncation.
The vocab is FILE, else DIR/vocab.txt (DIR defaults to $EDGECLIP_MODEL_DIR); with
EDGECLIP_MODEL=fixture, the fixture model's vocab. --max-length defaults to the model's limit.`

async function loadVocab(io: CommandIo, values: { vocab?: string; 'model-dir'?: string }): Promise<string> {
  if (values.vocab !== undefined) return readFile(resolveUserPath(io, values.vocab), 'utf8')
  if (isFixtureModel(io) && values['model-dir'] === undefined) {
    // Loaded only here: the real model's path never needs testkit's ONNX writer.
    const { buildFixtureVocab } = await import('@edgeclip/testkit')
    return buildFixtureVocab()
  }
  const spec = selectedModelSpec(io)
  return (await readModelDir(modelDir(io, spec, values['model-dir']), spec, 'fp32', { verify: 'none' })).vocab
}

export const tokenizeCommand: Command = {
  name: 'tokenize',
  summary: 'tokenize TEXT: print the token ids of a text',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: {
        vocab: { type: 'string' },
        'model-dir': { type: 'string' },
        'max-length': { type: 'string' },
        truncate: { type: 'boolean', default: false },
      },
      allowPositionals: true,
    })
    if (positionals.length !== 1) throw new UsageError('give exactly one TEXT (quote it)')
    const spec = selectedModelSpec(io)
    const maxLength = values['max-length'] === undefined ? spec.maxTokens : Number(values['max-length'])
    if (!(Number.isInteger(maxLength) && maxLength >= 2))
      throw new UsageError('--max-length must be 2 or more')
    const tokenizer = WordPieceTokenizer.fromVocab(await loadVocab(io, values), spec.tokenizer)
    const encoded = tokenizer.encode(positionals[0] as string, { maxLength, truncate: values.truncate })
    const truncated = encoded.truncated ? ',"truncated":true' : ''
    io.stdout(`{"ids":${JSON.stringify(encoded.ids)},"tokens":${encoded.tokenCount}${truncated}}\n`)
    return 0
  },
}
