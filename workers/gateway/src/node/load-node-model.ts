// Loads the model the Node host serves: tokenizer now, text tower on first use (onnxruntime-node).
// EDGECLIP_MODEL=fixture serves the generated fixture; otherwise a directory laid out like the
// Hugging Face repo (vocab.txt, onnx/text_model*.onnx), checked against its fetch manifest.
import { readFile } from 'node:fs/promises'
import {
  defaultModelSpec,
  fixtureModelSpec,
  type ModelSpec,
  OnnxTextTower,
  type OnnxVariant,
  type TextTower,
  type TowerIdentity,
  WordPieceTokenizer,
} from '@edgeclip/core'
import { checkServedVocab, readModelDir, readTowerFile, sha256File } from '@edgeclip/core/node'
import { createNodeSession } from '@edgeclip/core/onnx-node'
import type { NodeModel } from './node-deps'
import type { ModelSource } from './node-settings'

export interface LoadNodeModelOptions {
  /** Text tower weights for the edge: fp32 by default (the others are suspect on long inputs). */
  variant?: OnnxVariant
  maxBatchSize?: number
}

interface ModelFilesFound {
  spec: ModelSpec
  vocab: string
  variant: OnnxVariant
  /** Undefined when the directory has no text tower: every text then goes to the backend. */
  textModelPath: string | undefined
  /** The sha256 its manifest recorded (checked when the tower loads); undefined for a hand-filled dir. */
  textModelSha256: string | undefined
}

/** onnxruntime-node on the CPU, whatever the variant: what `createNodeSession` runs by default. */
export const nodeEdgeNumerics = (variant: OnnxVariant): string => `${variant}/onnxruntime-node-cpu`

async function findModelFiles(source: ModelSource, variant: OnnxVariant): Promise<ModelFilesFound> {
  if (source.kind === 'dir' || source.dir) {
    const spec = source.kind === 'fixture' ? fixtureModelSpec : defaultModelSpec
    const found = await readModelDir(source.dir!, spec, source.kind === 'fixture' ? 'fp32' : variant)
    checkServedVocab(found)
    return {
      spec,
      vocab: found.vocab,
      variant: found.variant,
      textModelPath: found.textModelPath,
      textModelSha256: found.expectedSha256.text,
    }
  }
  // The fixture is generated, not committed; build it on demand as `wrangler dev` does.
  const { writeFixtureFiles } = await import('../workers/fixture/write-fixture-files')
  const written = await writeFixtureFiles()
  return {
    spec: fixtureModelSpec,
    vocab: await readFile(written.vocabPath, 'utf8'),
    variant: 'fp32',
    textModelPath: written.modelPath,
    textModelSha256: undefined,
  }
}

export async function loadNodeModel(
  source: ModelSource,
  options: LoadNodeModelOptions = {},
): Promise<NodeModel> {
  const found = await findModelFiles(source, options.variant ?? 'fp32')
  const { spec, vocab, textModelPath } = found
  const tokenizer = WordPieceTokenizer.fromVocab(vocab, spec.tokenizer)
  // Known before the tower loads (lookups come first): the manifest's hash, else the file's own
  // (read once at startup: about a second per 500 MB). The load checks the bytes against it.
  const textModelSha256 =
    textModelPath === undefined ? undefined : (found.textModelSha256 ?? (await sha256File(textModelPath)))
  const edgeIdentity: TowerIdentity | undefined =
    textModelSha256 === undefined
      ? undefined
      : { weights: textModelSha256, numerics: nodeEdgeNumerics(found.variant) }
  let loading: Promise<TextTower> | undefined
  const edgeTower = textModelPath
    ? () => {
        loading ??= (async () => {
          const { bytes } = await readTowerFile(textModelPath, textModelSha256)
          const session = await createNodeSession(bytes)
          return new OnnxTextTower(
            session,
            spec,
            options.maxBatchSize ? { maxBatchSize: options.maxBatchSize } : {},
          )
        })().catch((error: unknown) => {
          loading = undefined
          throw error
        })
        return loading
      }
    : undefined
  return {
    spec,
    tokenizer,
    edgeTower,
    edgeIdentity,
    async release() {
      if (loading) await (await loading.catch(() => undefined))?.release()
    },
  }
}
