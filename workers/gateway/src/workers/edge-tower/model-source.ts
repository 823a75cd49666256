// Where the Worker's edge text tower and its vocab come from: an R2 bucket for real models, modules
// bundled into the script for the fixture (so `wrangler dev` and the tests need no bucket).
import { EdgeclipError, type ModelSpec } from '@edgeclip/core'
import type { R2Bucket } from '../runtime-types'

export interface TextModelSource {
  /** A short name for logs and errors: `fixture` or `r2://<model id>/<revision>`. */
  readonly name: string
  /** Whether an edge tower is there at all; without one, every text goes to the backend. */
  hasModel(): Promise<boolean>
  /** The tower's ONNX bytes; only the first request that needs the tower reads them. */
  loadModel(): Promise<Uint8Array>
  /** vocab.txt: every request tokenizes, whichever tower serves it. */
  loadVocab(): Promise<string>
}

/**
 * The edge build of the text tower, uploaded beside the vocab: the published ONNX files do not fit
 * a 128 MB isolate, so which variant does is the benchmarks' call (same input_ids -> text_embeds).
 */
export const EDGE_TEXT_MODEL_FILE = 'text_model_edge.onnx'
export const VOCAB_FILE = 'vocab.txt'

/** R2 keys: `<model id>/<revision>/<file>`, so a revision bump never reads stale files. */
export const r2ModelKey = (spec: ModelSpec, file: string): string => `${spec.id}/${spec.revision}/${file}`

const missingFile = (key: string) =>
  new EdgeclipError(`Model file ${key} is missing from the MODELS bucket.`, {
    status: 503,
    code: 'model_unavailable',
  })

export function r2TextModelSource(bucket: R2Bucket, spec: ModelSpec): TextModelSource {
  const modelKey = r2ModelKey(spec, EDGE_TEXT_MODEL_FILE)
  const vocabKey = r2ModelKey(spec, VOCAB_FILE)
  return {
    name: `r2://${spec.id}/${spec.revision}`,
    async hasModel() {
      return (await bucket.head(modelKey)) !== null
    },
    async loadModel() {
      const object = await bucket.get(modelKey)
      if (!object) throw missingFile(modelKey)
      return new Uint8Array(await object.arrayBuffer())
    },
    async loadVocab() {
      const object = await bucket.get(vocabKey)
      if (!object) throw missingFile(vocabKey)
      return object.text()
    },
  }
}

export function bundledTextModelSource(name: string, model: ArrayBuffer, vocab: string): TextModelSource {
  return {
    name,
    hasModel: async () => true,
    loadModel: async () => new Uint8Array(model),
    loadVocab: async () => vocab,
  }
}
