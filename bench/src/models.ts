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

/** Path of the synthetic JinaBERT text tower in the Hub layout `<dir>/<id>/onnx/text_model.onnx`. */
export async function syntheticTextModel(context: SuiteContext, variant: 'fp32' | 'int8'): Promise<string> {
  const modelDir = join(context.workDir, 'models', `jinabert-synthetic-${variant}`)
  const path = join(modelDir, 'onnx', 'text_model.onnx')
  if (!(await exists(path))) {
    context.log(`building synthetic JinaBERT (${variant}) at ${path}`)
    await mkdir(join(modelDir, 'onnx'), { recursive: true })
    await writeSyntheticJinaBert(path, { seed: 1, variant })
  }
  const configPath = join(modelDir, 'config.json')
  // transformers.js reads the model type from config.json to pick JinaCLIPTextModel.
  if (!(await exists(configPath)))
    await writeFile(configPath, JSON.stringify({ model_type: 'jina_clip', architectures: ['JinaCLIPModel'] }))
  return path
}
