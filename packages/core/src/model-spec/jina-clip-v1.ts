// jina-clip-v1's facts, in one place. See ARCHITECTURE.md ("The model, in facts").
import type { ModelSpec } from './model-spec'

const MB = 1_000_000

export const jinaClipV1 = {
  id: 'jina-clip-v1',
  repo: 'jinaai/jina-clip-v1',
  // Revision MTEB pins for this model; bump it together with the file table below.
  revision: '1cbe5e8b11ea3728df0b610d5453dfe739804aa9',
  dimensions: 768,
  matryoshkaDimensions: [],
  maxTokens: 8192,
  tokenizer: {
    kind: 'bert-wordpiece',
    lowercase: true,
    stripAccents: true,
    vocabSize: 30522,
    embeddingRows: 30528,
    padId: 0,
    unkId: 100,
    clsId: 101,
    sepId: 102,
    maskId: 103,
    maxInputCharsPerWord: 100,
    continuingSubwordPrefix: '##',
  },
  image: {
    size: 224,
    mean: [0.48145466, 0.4578275, 0.40821073],
    std: [0.26862954, 0.26130258, 0.27577711],
    resample: 'bicubic',
    cropRounding: 'half-even',
    // Bump when preprocessImage's output changes for any input (see ImageSpec).
    preprocessingVersion: 1,
  },
  onnx: {
    text: { input: 'input_ids', output: 'text_embeds' },
    image: { input: 'pixel_values', output: 'image_embeds' },
    // Sizes are the published ones, rounded; hashes are unknown until a first verified download.
    textFiles: {
      fp32: { path: 'onnx/text_model.onnx', size: 548 * MB },
      fp16: { path: 'onnx/text_model_fp16.onnx', size: 274 * MB },
      int8: {
        path: 'onnx/text_model_int8.onnx',
        size: 138 * MB,
        caveat: 'not re-exported with the fix for inputs of 17 tokens or more; verify before use',
      },
      q4: {
        path: 'onnx/text_model_q4.onnx',
        size: 165 * MB,
        caveat: 'not re-exported with the fix for inputs of 17 tokens or more; verify before use',
      },
    },
    imageFiles: {
      fp32: { path: 'onnx/vision_model.onnx', size: 344 * MB },
      fp16: { path: 'onnx/vision_model_fp16.onnx', size: 172 * MB },
      int8: { path: 'onnx/vision_model_int8.onnx', size: 88 * MB },
      q4: { path: 'onnx/vision_model_q4.onnx', size: 57 * MB },
    },
  },
  supportFiles: [
    {
      path: 'vocab.txt',
      size: 231_508,
      sha256: '07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3',
    },
    { path: 'tokenizer.json' },
    { path: 'tokenizer_config.json' },
    { path: 'special_tokens_map.json' },
    { path: 'config.json' },
    { path: 'preprocessor_config.json' },
  ],
  outputsNormalized: false,
} as const satisfies ModelSpec

/** Specs by public model id. A new model (jina-clip-v2) is a new entry, not a rewrite. */
export const modelSpecs: Readonly<Record<string, ModelSpec>> = { [jinaClipV1.id]: jinaClipV1 }

export const defaultModelSpec: ModelSpec = jinaClipV1
