// A JinaBERT-shaped text tower as an ONNX graph with jina-clip-v1's I/O contract: input_ids int64
// [batch, sequence] -> text_embeds [batch, width]. Post-LayerNorm BERT layers with ALiBi attention
// bias (no position embeddings) and a GLU feed-forward (gate, up, down); pad id 0 is masked and the
// output is the mean over non-pad tokens, all inside the graph. Optionally the per-token states too,
// as `last_hidden_state`: what a sentence-transformers export ends with, and what transformers.js's
// feature-extraction pipeline reads.
import { jinaClipV1 } from '@edgeclip/core'
import type { StreamingModel } from '@edgeclip/edge-model/node'
import { FLOAT, GraphBuilder, INT64, seededNormal, tensorInfo } from './graph-builder'
import { alibiSlopes, type JinaBertShape } from './jina-bert-shape'

/** BERT's initializer range: keeps activations sane through 12 random layers. */
const WEIGHT_STD = 0.02
/** Added to attention scores of pad keys (BERT's extended attention mask). */
const MASK_PENALTY = -10_000
const OPSET = 17
/** The per-token output's name in Hugging Face exports. */
export const LAST_HIDDEN_STATE = 'last_hidden_state'

export interface JinaBertGraphOptions {
  /** Also output the encoder's final states `[batch, sequence, width]` as `last_hidden_state`. */
  lastHiddenState?: boolean
}

export function jinaBertGraph(
  shape: JinaBertShape,
  seed: number,
  options: JinaBertGraphOptions = {},
): StreamingModel {
  const graph = new GraphBuilder()
  const { width, heads, intermediate } = shape
  const headWidth = width / heads
  const { input, output } = jinaClipV1.onnx.text
  let tensorSeed = seed * 1000
  const normal = (name: string, dims: number[]) =>
    graph.floats(name, dims, () =>
      seededNormal(
        dims.reduce((a, b) => a * b, 1),
        ++tensorSeed,
        WEIGHT_STD,
      ),
    )
  const filled = (name: string, count: number, value: number) =>
    graph.floats(name, [count], () => new Float32Array(count).fill(value))
  const layerNorm = (name: string, x: string) =>
    graph.node(
      'LayerNormalization',
      [x, filled(`${name}.weight`, width, 1), filled(`${name}.bias`, width, 0)],
      {
        axis: -1,
        epsilon: 1e-12,
      },
    )
  const linear = (name: string, x: string, inputs: number, outputs: number, bias = true) => {
    const product = graph.node('MatMul', [x, normal(`${name}.weight`, [inputs, outputs])])
    return bias ? graph.node('Add', [product, normal(`${name}.bias`, [outputs])]) : product
  }
  const axis = (value: number) => graph.ints(`axis_${value}_${graph.initializers.length}`, [value])

  // Embeddings: word + token type 0, then LayerNorm (JinaBERT has no position embeddings).
  const words = graph.node('Gather', [
    normal('embeddings.word_embeddings.weight', [shape.vocabRows, width]),
    input,
  ])
  const typed = graph.node('Add', [words, normal('embeddings.token_type_embeddings.row0', [width])])
  let hidden = layerNorm('embeddings.LayerNorm', typed)

  // Pad mask from input_ids, as [batch, 1, 1, sequence] additive bias and [batch, sequence, 1] weights.
  const keep = graph.node(
    'Cast',
    [
      graph.node('Not', [
        graph.node('Equal', [input, graph.ints('pad_id', [jinaClipV1.tokenizer.padId], [])]),
      ]),
    ],
    {
      to: FLOAT,
    },
  )
  const maskBias = graph.node('Unsqueeze', [
    graph.node('Mul', [
      graph.node('Sub', [keep, graph.scalar('one', 1)]),
      graph.scalar('mask_penalty', -MASK_PENALTY),
    ]),
    graph.ints('axes_1_2', [1, 2]),
  ])

  // ALiBi: -slope[h] * |i - j|, [1, heads, sequence, sequence].
  const sequence = graph.node('Gather', [graph.node('Shape', [input]), graph.ints('index_1', [1], [])])
  const positions = graph.node(
    'Cast',
    [graph.node('Range', [graph.ints('zero', [0], []), sequence, graph.ints('step', [1], [])])],
    { to: FLOAT },
  )
  const distance = graph.node('Abs', [
    graph.node('Sub', [
      graph.node('Unsqueeze', [positions, axis(1)]),
      graph.node('Unsqueeze', [positions, axis(0)]),
    ]),
  ])
  const slopes = alibiSlopes(heads).map((slope) => -slope)
  const alibi = graph.node('Unsqueeze', [
    graph.node('Mul', [
      graph.floats('alibi_slopes', [heads, 1, 1], () => Float32Array.from(slopes)),
      distance,
    ]),
    axis(0),
  ])
  const attentionBias = graph.node('Add', [alibi, maskBias])

  const splitHeads = graph.ints('split_heads_shape', [0, 0, heads, headWidth])
  const mergeHeads = graph.ints('merge_heads_shape', [0, 0, width])
  const scale = graph.scalar('attention_scale', 1 / Math.sqrt(headWidth))
  const sqrtHalf = graph.scalar('sqrt_half', Math.SQRT1_2)
  const half = graph.scalar('half', 0.5)
  for (let layer = 0; layer < shape.layers; layer++) {
    const prefix = `encoder.layer.${layer}`
    const heads4d = (name: string, perm: number[]) =>
      graph.node(
        'Transpose',
        [
          graph.node('Reshape', [
            linear(`${prefix}.attention.self.${name}`, hidden, width, width),
            splitHeads,
          ]),
        ],
        { perm },
      )
    const query = heads4d('query', [0, 2, 1, 3])
    const key = heads4d('key', [0, 2, 3, 1])
    const value = heads4d('value', [0, 2, 1, 3])
    const scores = graph.node('Add', [
      graph.node('Mul', [graph.node('MatMul', [query, key]), scale]),
      attentionBias,
    ])
    const context = graph.node('MatMul', [graph.node('Softmax', [scores], { axis: -1 }), value])
    const merged = graph.node('Reshape', [
      graph.node('Transpose', [context], { perm: [0, 2, 1, 3] }),
      mergeHeads,
    ])
    const attended = linear(`${prefix}.attention.output.dense`, merged, width, width)
    const afterAttention = layerNorm(
      `${prefix}.attention.output.LayerNorm`,
      graph.node('Add', [attended, hidden]),
    )
    // GLU: gelu(gate) * up, then down (JinaBERT's gated_layers has no bias).
    const gate = linear(`${prefix}.mlp.gate`, afterAttention, width, intermediate, false)
    const up = linear(`${prefix}.mlp.up`, afterAttention, width, intermediate, false)
    const gelu = graph.node('Mul', [
      graph.node('Mul', [gate, half]),
      graph.node('Add', [graph.node('Erf', [graph.node('Mul', [gate, sqrtHalf])]), 'one']),
    ])
    const down = linear(`${prefix}.mlp.wo`, graph.node('Mul', [gelu, up]), intermediate, width)
    hidden = layerNorm(`${prefix}.mlp.layernorm`, graph.node('Add', [down, afterAttention]))
  }

  // Mean over non-pad tokens.
  const weights = graph.node('Unsqueeze', [keep, axis(2)])
  const summed = graph.node('ReduceSum', [graph.node('Mul', [hidden, weights]), axis(1)], { keepdims: 0 })
  const count = graph.node('Max', [graph.node('ReduceSum', [weights, axis(1)], { keepdims: 0 }), 'one'])
  graph.node('Div', [summed, count], {}, output)
  const outputs = [tensorInfo(output, FLOAT, ['batch', width])]
  if (options.lastHiddenState) {
    graph.node('Identity', [hidden], {}, LAST_HIDDEN_STATE)
    outputs.push(tensorInfo(LAST_HIDDEN_STATE, FLOAT, ['batch', 'sequence', width]))
  }

  return graph.model('jinabert_synthetic', [tensorInfo(input, INT64, ['batch', 'sequence'])], outputs, OPSET)
}
