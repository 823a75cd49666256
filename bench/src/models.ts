// Generated benchmark models, cached under the work dir: speed and memory depend on shape only.
import { access, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { jinaClipV1 } from '@edgeclip/core'
import { buildFixtureVocab, jinaBertShape, writeSyntheticJinaBert } from '@edgeclip/testkit'
import type { SuiteContext } from './suite'
import { bertTokenizerConfig, bertTokenizerJson } from './text-inputs'

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  )

/** Layers of the stand-in a quick run builds when the full-size tower is not cached yet. */
const QUICK_LAYERS = 2

/** bert-base-uncased's vocab.txt beside the repo (../shared), when this checkout has it. */
const sharedVocabPath = fileURLToPath(new URL('../../../shared/data/tokenizer/vocab.txt', import.meta.url))

export interface SyntheticModelOptions {
  /**
   * A model dir transformers.js's feature-extraction pipeline can load too: the graph also outputs
   * `last_hidden_state`, beside it config.json (a BERT encoder) and tokenizer files from the vocab.
   */
  pipeline?: boolean
}

/**
 * Path of the synthetic JinaBERT text tower in the Hub layout `<dir>/<id>/onnx/text_model.onnx`.
 * A quick run uses the full-size tower when it is cached and otherwise builds a 2-layer one (same
 * width, heads, GLU and vocab) so it stays within its few minutes; the path says which.
 */
export async function syntheticTextModel(
  context: SuiteContext,
  variant: 'fp32' | 'int8',
  options: SyntheticModelOptions = {},
): Promise<string> {
  const suffix = `${variant}${options.pipeline ? '-pipeline' : ''}`
  const fullDir = join(context.workDir, 'models', `jinabert-synthetic-${suffix}`)
  const small = context.quick && !(await exists(join(fullDir, 'onnx', 'text_model.onnx')))
  const modelDir = small
    ? join(context.workDir, 'models', `jinabert-synthetic-${QUICK_LAYERS}-layers-${suffix}`)
    : fullDir
  const path = join(modelDir, 'onnx', 'text_model.onnx')
  if (!(await exists(path))) {
    context.log(
      `building synthetic JinaBERT (${variant}${small ? `, ${QUICK_LAYERS} layers` : ''}) at ${path}`,
    )
    await mkdir(join(modelDir, 'onnx'), { recursive: true })
    await writeSyntheticJinaBert(path, {
      seed: 1,
      variant,
      lastHiddenState: options.pipeline ?? false,
      ...(small ? { shape: { layers: QUICK_LAYERS } } : {}),
    })
  }
  if (options.pipeline) await writePipelineFiles(modelDir, small ? QUICK_LAYERS : jinaBertShape.layers)
  return path
}

/** The vocab the benchmark tokenizes with: the real one when present, else testkit's fixture vocab. */
export async function benchVocab(): Promise<{ text: string; source: string }> {
  if (await exists(sharedVocabPath))
    return { text: await readFile(sharedVocabPath, 'utf8'), source: 'bert-base-uncased vocab (../shared)' }
  return { text: buildFixtureVocab(), source: 'testkit fixture vocab (../shared absent)' }
}

// Rewritten on every run: cheap, and they follow the vocab this checkout has now.
async function writePipelineFiles(modelDir: string, layers: number): Promise<void> {
  const { tokenizer, maxTokens } = jinaClipV1
  const vocab = await benchVocab()
  // transformers.js maps model_type jina_clip to JinaCLIPModel (text and vision in one graph, no
  // per-token output), which its feature-extraction pipeline cannot use; a BERT encoder it can.
  const config = {
    model_type: 'bert',
    architectures: ['BertModel'],
    hidden_size: jinaBertShape.width,
    num_hidden_layers: layers,
    num_attention_heads: jinaBertShape.heads,
    intermediate_size: jinaBertShape.intermediate,
    vocab_size: tokenizer.embeddingRows,
    max_position_embeddings: maxTokens,
    position_embedding_type: 'alibi',
  }
  const files: [string, string][] = [
    ['config.json', JSON.stringify(config, null, 2)],
    ['vocab.txt', vocab.text],
    ['tokenizer.json', JSON.stringify(bertTokenizerJson(vocab.text, tokenizer))],
    ['tokenizer_config.json', JSON.stringify(bertTokenizerConfig(tokenizer, maxTokens), null, 2)],
    ['vocab-source.txt', `${vocab.source}\n`],
  ]
  for (const [file, content] of files) await writeFile(join(modelDir, file), content)
}
