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
  WordPieceTokenizer,
} from '@edgeclip/core'
import { readModelBytes, readModelDir } from '@edgeclip/core/node'
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
  /** Undefined when the directory has no text tower: every text then goes to the backend. */
  textModelPath: string | undefined
}

async function findModelFiles(source: ModelSource, variant: OnnxVariant): Promise<ModelFilesFound> {
  if (source.kind === 'dir' || source.dir) {
    const spec = source.kind === 'fixture' ? fixtureModelSpec : defaultModelSpec
    const found = await readModelDir(source.dir!, spec, source.kind === 'fixture' ? 'fp32' : variant)
    return { spec, vocab: found.vocab, textModelPath: found.textModelPath }
  }
  // The fixture is generated, not committed; build it on demand as `wrangler dev` does.
  const { writeFixtureFiles } = await import('../workers/fixture/write-fixture-files')
  const written = await writeFixtureFiles()
  return {
    spec: fixtureModelSpec,
    vocab: await readFile(written.vocabPath, 'utf8'),
    textModelPath: written.modelPath,
  }
}

export async function loadNodeModel(
  source: ModelSource,
  options: LoadNodeModelOptions = {},
): Promise<NodeModel> {
  const { spec, vocab, textModelPath } = await findModelFiles(source, options.variant ?? 'fp32')
  const tokenizer = WordPieceTokenizer.fromVocab(vocab, spec.tokenizer)
  let loading: Promise<TextTower> | undefined
  const edgeTower = textModelPath
    ? () => {
        loading ??= (async () => {
          const session = await createNodeSession(await readModelBytes(textModelPath))
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
    async release() {
      if (loading) await (await loading.catch(() => undefined))?.release()
    },
  }
}
