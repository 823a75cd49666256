// Generated benchmark models, cached under the work dir: speed and memory depend on shape only.
import { access, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeSyntheticJinaBert } from '@edgeclip/testkit'
import type { SuiteContext } from './suite'

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  )

/** Layers of the stand-in a quick run builds when the full-size tower is not cached yet. */
const QUICK_LAYERS = 2

/**
 * Path of the synthetic JinaBERT text tower in the Hub layout `<dir>/<id>/onnx/text_model.onnx`.
 * A quick run uses the full-size tower when it is cached and otherwise builds a 2-layer one (same
 * width, heads, GLU and vocab) so it stays within its few minutes; the path says which.
 */
export async function syntheticTextModel(context: SuiteContext, variant: 'fp32' | 'int8'): Promise<string> {
  const fullDir = join(context.workDir, 'models', `jinabert-synthetic-${variant}`)
  const small = context.quick && !(await exists(join(fullDir, 'onnx', 'text_model.onnx')))
  const modelDir = small
    ? join(context.workDir, 'models', `jinabert-synthetic-${QUICK_LAYERS}-layers-${variant}`)
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
      ...(small ? { shape: { layers: QUICK_LAYERS } } : {}),
    })
  }
  const configPath = join(modelDir, 'config.json')
  // transformers.js reads the model type from config.json to pick JinaCLIPTextModel.
  if (!(await exists(configPath)))
    await writeFile(configPath, JSON.stringify({ model_type: 'jina_clip', architectures: ['JinaCLIPModel'] }))
  return path
}
