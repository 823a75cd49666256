// Where the Worker's vocab and edge text tower come from: modules bundled into the script for the
// fixture (run in this isolate, so `wrangler dev` and the tests need no bucket), or the MODELS
// bucket for real models, whose edge tower is the split artifact run by the part Workers.
import type { ModelSpec } from '@edgeclip/core'
import type { EdgeManifest } from '@edgeclip/edge-model'
import type { R2Bucket } from '../runtime-types'
import { readEdgeManifest } from './edge-artifact'
import { missingModelFile, r2ModelKey } from './r2-model-key'

/** An edge tower this isolate runs itself (ONNX bytes), or one split across part Workers. */
export type EdgeTowerSource =
  | { kind: 'in-process'; loadModel(): Promise<Uint8Array> }
  | { kind: 'split'; manifest: EdgeManifest }

export interface TextModelSource {
  /** A short name for logs and errors: `fixture` or `r2://<model id>/<revision>`. */
  readonly name: string
  /** The edge tower, if there is one; without one, every text goes to the backend. */
  findEdgeTower(): Promise<EdgeTowerSource | undefined>
  /** vocab.txt: every request tokenizes, whichever tower serves it. */
  loadVocab(): Promise<string>
}

export const VOCAB_FILE = 'vocab.txt'

export function r2TextModelSource(bucket: R2Bucket, spec: ModelSpec): TextModelSource {
  const vocabKey = r2ModelKey(spec, VOCAB_FILE)
  return {
    name: `r2://${spec.id}/${spec.revision}`,
    // No single-file tower fits a 128 MB isolate (docs/edge-tower.md): real models run split.
    async findEdgeTower() {
      const manifest = await readEdgeManifest(bucket, spec)
      return manifest ? { kind: 'split', manifest } : undefined
    },
    async loadVocab() {
      const object = await bucket.get(vocabKey)
      if (!object) throw missingModelFile(vocabKey)
      return object.text()
    },
  }
}

export function bundledTextModelSource(name: string, model: ArrayBuffer, vocab: string): TextModelSource {
  return {
    name,
    findEdgeTower: async () => ({ kind: 'in-process', loadModel: async () => new Uint8Array(model) }),
    loadVocab: async () => vocab,
  }
}
