// Small text graphs that differ from the fixture in one way each, to test how the tower adapts to
// (or refuses) a graph's declared inputs and outputs.
import { fixtureModelSpec } from '@edgeclip/core'
import { ElementType, initializer, model, node, tensorInfo } from '../../src/fixtures/onnx-writer'

const { tokenizer, onnx } = fixtureModelSpec

interface TextGraphOptions {
  /** Extra int64 [batch, sequence] inputs the graph declares. */
  extraInputs?: readonly string[]
  /** Pool with the attention_mask input instead of comparing ids with the pad id. */
  poolWithAttentionMask?: boolean
  outputName?: string
  width?: number
}

/**
 * Embeds id i as the vector [i, i, ...] and mean-pools, so an expected row is easy to compute.
 * With `token_type_ids` declared, their sum is added: rows stay as computed only when all are 0.
 */
export function buildTextGraph(options: TextGraphOptions = {}): Uint8Array {
  const width = options.width ?? fixtureModelSpec.dimensions
  const output = options.outputName ?? onnx.text.output
  const extraInputs = options.extraInputs ?? []
  const rows = tokenizer.embeddingRows
  const table = Float32Array.from({ length: rows * width }, (_, index) => Math.floor(index / width))
  const maskNodes = options.poolWithAttentionMask
    ? [node('Cast', ['attention_mask'], ['mask'], { to: ElementType.float })]
    : [
        node('Equal', [onnx.text.input, 'pad_id'], ['is_pad']),
        node('Not', ['is_pad'], ['keep']),
        node('Cast', ['keep'], ['mask'], { to: ElementType.float }),
      ]
  const typeNodes = extraInputs.includes('token_type_ids')
    ? [
        node('Cast', ['token_type_ids'], ['types'], { to: ElementType.float }),
        node('ReduceSum', ['types'], ['type_sum'], { keepdims: 0 }),
        node('Add', ['mean', 'type_sum'], [output]),
      ]
    : [node('Identity', ['mean'], [output])]
  return model({
    name: 'test_text',
    opset: 13,
    initializers: [
      initializer('embeddings', [rows, width], table),
      initializer('pad_id', [], new BigInt64Array([BigInt(tokenizer.padId)])),
      initializer('axis_1', [1], new BigInt64Array([1n])),
      initializer('axis_2', [1], new BigInt64Array([2n])),
      initializer('one', [], new Float32Array([1])),
    ],
    nodes: [
      node('Gather', ['embeddings', onnx.text.input], ['tokens']),
      ...maskNodes,
      node('Unsqueeze', ['mask', 'axis_2'], ['mask_3d']),
      node('Mul', ['tokens', 'mask_3d'], ['masked']),
      node('ReduceSum', ['masked', 'axis_1'], ['summed'], { keepdims: 0 }),
      node('ReduceSum', ['mask_3d', 'axis_1'], ['count'], { keepdims: 0 }),
      node('Max', ['count', 'one'], ['safe_count']),
      node('Div', ['summed', 'safe_count'], ['mean']),
      ...typeNodes,
    ],
    inputs: [onnx.text.input, ...extraInputs].map((name) =>
      tensorInfo(name, ElementType.int64, ['batch', 'sequence']),
    ),
    outputs: [tensorInfo(output, ElementType.float, ['batch', width])],
  })
}

/** The row buildTextGraph gives for ids: their mean, pad ids left out. */
export function expectedMean(ids: readonly number[]): number {
  const kept = ids.filter((id) => id !== tokenizer.padId)
  return kept.reduce((sum, id) => sum + id, 0) / Math.max(kept.length, 1)
}
