// An EVA02 ViT-B/16-shaped vision tower as an ONNX graph with jina-clip-v1's published I/O:
// pixel_values float32 [batch, 3, 224, 224] -> image_embeds float32 [batch, 768]. Patch Conv, class
// token and absolute position embeddings, then pre-LayerNorm blocks with 2-D rotary position
// embeddings on queries and keys, a sub-LayerNorm before each output projection, and a SwiGLU MLP
// (also sub-normed); a final LayerNorm, the class token, and the projection head.
// `fp16` stores every weight and computes in half precision, with float32 I/O (Casts at both ends),
// as the published vision_model_fp16.onnx keeps float32 pixel_values: the same preprocessing feeds
// both files.
import { jinaClipV1 } from '@edgeclip/core'
import type { StreamingModel } from '@edgeclip/edge-model/node'
import { type Eva02Shape, eva02Rope, rotateHalfMatrix } from './eva02-shape'
import { FLOAT, FLOAT16, GraphBuilder, seededNormal, tensorInfo } from './graph-builder'

const WEIGHT_STD = 0.02
const LAYER_NORM_EPSILON = 1e-6
const OPSET = 17

export type Eva02Precision = 'fp32' | 'fp16'

export function eva02Graph(
  shape: Eva02Shape,
  seed: number,
  precision: Eva02Precision = 'fp32',
): StreamingModel {
  const graph = new GraphBuilder()
  const { width, heads, mlpWidth, patchSize } = shape
  const grid = shape.imageSize / patchSize
  const tokens = grid * grid + 1
  const { input, output } = jinaClipV1.onnx.image
  const half = precision === 'fp16'
  const tensor = (name: string, dims: readonly number[], produce: () => Float32Array) =>
    half ? graph.halves(name, dims, produce) : graph.floats(name, dims, produce)
  let tensorSeed = seed * 1000
  const count = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1)
  const normal = (name: string, dims: number[]) =>
    tensor(name, dims, () => seededNormal(count(dims), ++tensorSeed, WEIGHT_STD))
  const filled = (name: string, size: number, value: number) =>
    tensor(name, [size], () => new Float32Array(size).fill(value))
  const constant = (name: string, value: number) => tensor(name, [], () => new Float32Array([value]))
  const layerNorm = (name: string, x: string, size = width) =>
    graph.node(
      'LayerNormalization',
      [x, filled(`${name}.weight`, size, 1), filled(`${name}.bias`, size, 0)],
      {
        axis: -1,
        epsilon: LAYER_NORM_EPSILON,
      },
    )
  const linear = (name: string, x: string, inputs: number, outputs: number, bias = true) => {
    const product = graph.node('MatMul', [x, normal(`${name}.weight`, [inputs, outputs])])
    return bias ? graph.node('Add', [product, normal(`${name}.bias`, [outputs])]) : product
  }

  const pixels = half ? graph.node('Cast', [input], { to: FLOAT16 }) : input
  // Patches: [batch, width, grid, grid] -> [batch, grid², width].
  const patches = graph.node(
    'Transpose',
    [
      graph.node('Reshape', [
        graph.node(
          'Conv',
          [
            pixels,
            normal('patch_embed.proj.weight', [width, 3, patchSize, patchSize]),
            normal('patch_embed.proj.bias', [width]),
          ],
          { kernel_shape: [patchSize, patchSize], strides: [patchSize, patchSize] },
        ),
        graph.ints('patches_shape', [0, width, grid * grid]),
      ]),
    ],
    { perm: [0, 2, 1] },
  )
  // The class token, one per image: [1, 1, width] expanded to [batch, 1, width].
  const batch = graph.node('Slice', [
    graph.node('Shape', [input]),
    graph.ints('zero_1', [0]),
    graph.ints('one_1', [1]),
  ])
  const clsShape = graph.node('Concat', [batch, graph.ints('cls_tail', [1, width])], { axis: 0 })
  const cls = graph.node('Expand', [normal('cls_token', [1, 1, width]), clsShape])
  let hidden = graph.node('Add', [
    graph.node('Concat', [cls, patches], { axis: 1 }),
    normal('pos_embed', [1, tokens, width]),
  ])

  const { cos, sin, headWidth } = eva02Rope(shape)
  const ropeCos = tensor('rope.cos', [tokens, headWidth], () => cos)
  const ropeSin = tensor('rope.sin', [tokens, headWidth], () => sin)
  const rotate = tensor('rope.rotate_half', [headWidth, headWidth], () => rotateHalfMatrix(headWidth))
  const splitHeads = graph.ints('split_heads_shape', [0, 0, heads, headWidth])
  const mergeHeads = graph.ints('merge_heads_shape', [0, 0, width])
  const scale = constant('attention_scale', 1 / Math.sqrt(headWidth))
  const toHeads = (x: string) =>
    graph.node('Transpose', [graph.node('Reshape', [x, splitHeads])], { perm: [0, 2, 1, 3] })
  // x·cos + rotate_half(x)·sin, per token and head dimension.
  const rope = (x: string) =>
    graph.node('Add', [
      graph.node('Mul', [x, ropeCos]),
      graph.node('Mul', [graph.node('MatMul', [x, rotate]), ropeSin]),
    ])

  for (let layer = 0; layer < shape.layers; layer++) {
    const prefix = `blocks.${layer}`
    const normed = layerNorm(`${prefix}.norm1`, hidden)
    // EVA02's q and v have biases, k has none.
    const query = rope(toHeads(linear(`${prefix}.attn.q_proj`, normed, width, width)))
    const key = rope(toHeads(linear(`${prefix}.attn.k_proj`, normed, width, width, false)))
    const value = toHeads(linear(`${prefix}.attn.v_proj`, normed, width, width))
    const scores = graph.node('MatMul', [
      graph.node('Mul', [query, scale]),
      graph.node('Transpose', [key], { perm: [0, 1, 3, 2] }),
    ])
    const context = graph.node('Reshape', [
      graph.node(
        'Transpose',
        [graph.node('MatMul', [graph.node('Softmax', [scores], { axis: -1 }), value])],
        {
          perm: [0, 2, 1, 3],
        },
      ),
      mergeHeads,
    ])
    const attended = linear(
      `${prefix}.attn.proj`,
      layerNorm(`${prefix}.attn.inner_attn_ln`, context),
      width,
      width,
    )
    hidden = graph.node('Add', [hidden, attended])
    // SwiGLU: silu(w1 x) * (w2 x), sub-normed, then w3.
    const mlpIn = layerNorm(`${prefix}.norm2`, hidden)
    const gate = linear(`${prefix}.mlp.w1`, mlpIn, width, mlpWidth)
    const up = linear(`${prefix}.mlp.w2`, mlpIn, width, mlpWidth)
    const swiglu = graph.node('Mul', [graph.node('Mul', [gate, graph.node('Sigmoid', [gate])]), up])
    const down = linear(
      `${prefix}.mlp.w3`,
      layerNorm(`${prefix}.mlp.ffn_ln`, swiglu, mlpWidth),
      mlpWidth,
      width,
    )
    hidden = graph.node('Add', [hidden, down])
  }

  const classToken = graph.node('Gather', [layerNorm('norm', hidden), graph.ints('cls_index', [0], [])], {
    axis: 1,
  })
  const projected = linear('head', classToken, width, shape.embedding, false)
  if (half) graph.node('Cast', [projected], { to: FLOAT }, output)
  else graph.node('Identity', [projected], {}, output)
  return graph.model(
    `eva02_synthetic_${precision}`,
    [tensorInfo(input, FLOAT, ['batch', 3, shape.imageSize, shape.imageSize])],
    [tensorInfo(output, FLOAT, ['batch', shape.embedding])],
    OPSET,
  )
}
