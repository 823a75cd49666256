// Loads the model the Node host serves: tokenizer now, text tower on first use (onnxruntime-node).
// EDGECLIP_MODEL=fixture serves the generated fixture; otherwise a directory laid out like the
// Hugging Face repo (vocab.txt, onnx/text_model*.onnx).
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  defaultModelSpec,
  fixtureModelSpec,
  type ModelSpec,
  type OnnxVariant,
  type TextTower,
} from '@edgeclip/core'
import { createInterimTokenizer } from '../workers/deps/interim-tokenizer'
import { OnnxTextTower } from '../workers/edge-tower'
import type { NodeModel } from './node-deps'
import type { ModelSource } from './node-settings'
import { createOnnxNodeSession } from './onnx-node-session'

export interface LoadNodeModelOptions {
  /** Text tower weights for the edge: fp32 by default (the others are suspect on long inputs). */
  variant?: OnnxVariant
  maxBatchSize?: number
}

async function fixtureFiles(source: ModelSource): Promise<{ vocabPath: string; modelPath: string }> {
  if (source.dir) {
    return { vocabPath: join(source.dir, 'vocab.txt'), modelPath: join(source.dir, 'onnx/text_model.onnx') }
  }
  // The fixture is generated, not committed; build it on demand like `wrangler dev` does.
  const { writeFixtureFiles } = await import('../workers/fixture/write-fixture-files')
  const written = await writeFixtureFiles()
  return { vocabPath: written.vocabPath, modelPath: written.modelPath }
}

async function modelFiles(source: ModelSource, spec: ModelSpec, variant: OnnxVariant) {
  if (source.kind === 'fixture') return fixtureFiles(source)
  const file = spec.onnx.textFiles[variant]
  if (!file) throw new Error(`${spec.id} has no ${variant} text model.`)
  return { vocabPath: join(source.dir, 'vocab.txt'), modelPath: join(source.dir, file.path) }
}

export async function loadNodeModel(
  source: ModelSource,
  options: LoadNodeModelOptions = {},
): Promise<NodeModel> {
  const spec = source.kind === 'fixture' ? fixtureModelSpec : defaultModelSpec
  const { vocabPath, modelPath } = await modelFiles(source, spec, options.variant ?? 'fp32')
  const vocab = await readFile(vocabPath, 'utf8').catch((error: unknown) => {
    throw new Error(
      `Cannot read the vocab at ${vocabPath}; fetch the model with \`pnpm edgeclip model fetch\` or set EDGECLIP_MODEL=fixture.`,
      { cause: error },
    )
  })
  let loading: Promise<TextTower> | undefined
  const edgeTower = () => {
    loading ??= (async () => {
      const session = await createOnnxNodeSession(new Uint8Array(await readFile(modelPath)))
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
  return {
    spec,
    tokenizer: createInterimTokenizer(vocab, spec.tokenizer),
    edgeTower,
    async release() {
      if (loading) await (await loading.catch(() => undefined))?.release()
    },
  }
}
