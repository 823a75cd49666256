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

/** The edge build's int8 numerics, in cached file names. */
const INT8_NUMERICS = 'rowwise'

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
  // int8 names its numerics (per-row activations, row-wise softmax): a cached file of the earlier
  // whole-batch build must not be measured as this one.
  const numerics = variant === 'int8' ? `${variant}-${INT8_NUMERICS}` : variant
  const suffix = `${numerics}${options.pipeline ? '-pipeline' : ''}`
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

/**
 * The split edge artifact (`buildEdgeModel`, int8, `parts` parts) of the same synthetic tower, and
 * the un-split fp32 file it was built from. Quick runs build the 2-layer stand-in unless cached.
 */
export async function syntheticEdgeArtifact(
  context: SuiteContext,
  parts: number,
  options: { layers?: number } = {},
): Promise<{ edgeDir: string; fp32Path: string; layers: number }> {
  const name = (layers: number) => `jinabert-synthetic-${layers}-layers-edge-${INT8_NUMERICS}-${parts}-parts`
  const fullDir = join(context.workDir, 'models', name(jinaBertShape.layers))
  const layers =
    options.layers ??
    (context.quick && !(await exists(join(fullDir, 'manifest.json'))) ? QUICK_LAYERS : jinaBertShape.layers)
  const edgeDir = join(context.workDir, 'models', name(layers))
  if (!(await exists(join(edgeDir, 'manifest.json'))))
    context.log(
      `building the ${parts}-part edge artifact of synthetic JinaBERT (${layers} layers) at ${edgeDir}`,
    )
  const shape = { layers }
  await writeSyntheticJinaBert(edgeDir, { seed: 1, variant: 'edge', parts, shape })
  // writeSyntheticJinaBert keeps the fp32 source beside the variant, under this name.
  const { width, intermediate, vocabRows } = jinaBertShape
  const fp32Path = join(
    context.workDir,
    'models',
    `fp32-${layers}x${width}-${intermediate}-${vocabRows}-1.onnx`,
  )
  if (!(await exists(fp32Path))) throw new Error(`expected the fp32 source at ${fp32Path}`)
  return { edgeDir, fp32Path, layers }
}

/** Layers of a model `syntheticTextModel` returned: the quick stand-in's or the full tower's. */
export const syntheticLayers = (path: string): number =>
  path.includes(`-${QUICK_LAYERS}-layers-`) ? QUICK_LAYERS : jinaBertShape.layers

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
