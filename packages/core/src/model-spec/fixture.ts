// The fixture model built by @edgeclip/testkit: jina-clip-v1's I/O contract with a tiny vocab and
// random weights. `EDGECLIP_MODEL=fixture` serves it; its revision keeps its cache keys apart.
import { jinaClipV1 } from './jina-clip-v1'
import type { ModelSpec } from './model-spec'

export const fixtureModelSpec: ModelSpec = {
  ...jinaClipV1,
  revision: 'fixture-1',
  maxTokens: 512,
  tokenizer: { ...jinaClipV1.tokenizer, vocabSize: 512, embeddingRows: 512 },
  onnx: {
    ...jinaClipV1.onnx,
    textFiles: { fp32: { path: 'onnx/text_model.onnx' } },
    imageFiles: { fp32: { path: 'onnx/vision_model.onnx' } },
  },
  supportFiles: [{ path: 'vocab.txt' }],
}
