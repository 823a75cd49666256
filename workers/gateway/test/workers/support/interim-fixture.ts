// Interim fixture text model and vocab with jina-clip-v1's I/O contract (input_ids -> text_embeds
// [N, 768], pad id 0 masked, mean pooling in the graph), until @edgeclip/testkit ships its own.
import { fixtureModelSpec } from '@edgeclip/core'
import { ElementType, initializer, model, node, tensorInfo } from './onnx-writer'

const WORDS =
  'the a an of and to in on is it for with as at by this that photo picture image cat dog bird car tree ' +
  'house sky sea red blue green white black small big hello world edge clip text search query embed model ' +
  'vector fast slow one two three four five good bad new old man woman child city night day sun moon'

export function buildInterimVocab(): string {
  const { padId, unkId, clsId, sepId, maskId, vocabSize } = fixtureModelSpec.tokenizer
  const tokens: string[] = Array.from({ length: unkId }, (_, index) => `[unused${index}]`)
  tokens[padId] = '[PAD]'
  tokens[unkId] = '[UNK]'
  tokens[clsId] = '[CLS]'
  tokens[sepId] = '[SEP]'
  tokens[maskId] = '[MASK]'
  const pieces = [
    ...'abcdefghijklmnopqrstuvwxyz0123456789.,!?\'"-:;()'.split(''),
    ...'abcdefghijklmnopqrstuvwxyz0123456789'.split('').map((piece) => `##${piece}`),
    ...WORDS.split(' '),
    ...['##s', '##ing', '##ed', '##er', '##ly', '##es'],
  ]
  for (const piece of pieces) if (!tokens.includes(piece)) tokens.push(piece)
  for (let index = 0; tokens.length < vocabSize; index++) tokens.push(`word${index}`)
  return `${tokens.slice(0, vocabSize).join('\n')}\n`
}

/** Seeded uniform values in [-1, 1) (mulberry32), so every build writes the same bytes. */
function seededValues(count: number, seed: number): Float32Array {
  let state = seed >>> 0
  return Float32Array.from({ length: count }, () => {
    state = (state + 0x6d2b79f5) >>> 0
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state)
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 2 ** 31 - 1
  })
}

export function buildInterimTextModel(): Uint8Array {
  const { dimensions, tokenizer, onnx } = fixtureModelSpec
  const rows = tokenizer.embeddingRows
  return model({
    name: 'fixture_text',
    opset: 13,
    initializers: [
      initializer('embeddings', [rows, dimensions], seededValues(rows * dimensions, 20_240_601)),
      initializer('pad_id', [], new BigInt64Array([BigInt(tokenizer.padId)])),
      initializer('axis_1', [1], new BigInt64Array([1n])),
      initializer('axis_2', [1], new BigInt64Array([2n])),
      initializer('one', [], new Float32Array([1])),
    ],
    nodes: [
      node('Gather', ['embeddings', onnx.text.input], ['tokens']),
      node('Equal', [onnx.text.input, 'pad_id'], ['is_pad']),
      node('Not', ['is_pad'], ['keep']),
      node('Cast', ['keep'], ['mask'], { to: ElementType.float }),
      node('Unsqueeze', ['mask', 'axis_2'], ['mask_3d']),
      node('Mul', ['tokens', 'mask_3d'], ['masked']),
      node('ReduceSum', ['masked', 'axis_1'], ['summed'], { keepdims: 0 }),
      node('ReduceSum', ['mask_3d', 'axis_1'], ['count'], { keepdims: 0 }),
      node('Max', ['count', 'one'], ['safe_count']),
      node('Div', ['summed', 'safe_count'], [onnx.text.output]),
    ],
    inputs: [tensorInfo(onnx.text.input, ElementType.int64, ['batch', 'sequence'])],
    outputs: [tensorInfo(onnx.text.output, ElementType.float, ['batch', dimensions])],
  })
}
