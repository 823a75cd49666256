// Which repo files make up a model directory for one ONNX variant.
import type { Modality, ModelFile, ModelSpec, OnnxVariant } from '../../model-spec'
import { ModelStoreError } from './model-store-error'

export interface ModelFileEntry extends ModelFile {
  /** A 404 on an optional file is fine (e.g. tokenizer.json); a missing required file is an error. */
  required: boolean
  role: 'text-model' | 'vision-model' | 'vocab' | 'support'
}

export const vocabFileName = 'vocab.txt'

export function towerFile(spec: ModelSpec, modality: Modality, variant: OnnxVariant): ModelFile {
  const files = modality === 'text' ? spec.onnx.textFiles : spec.onnx.imageFiles
  const file = files[variant]
  if (file === undefined) {
    const known = Object.keys(files).join(', ')
    throw new ModelStoreError(
      `${spec.id} publishes no ${variant} ${modality} model (variants: ${known})`,
      'unknown_variant',
    )
  }
  return file
}

export function modelFiles(
  spec: ModelSpec,
  variant: OnnxVariant,
  towers: readonly Modality[] = ['text', 'image'],
): ModelFileEntry[] {
  const entries: ModelFileEntry[] = spec.supportFiles
    .filter((file) => file.path !== vocabFileName)
    .map((file) => ({ ...file, required: false, role: 'support' }))
  if (towers.includes('text')) {
    entries.push({ ...towerFile(spec, 'text', variant), required: true, role: 'text-model' })
  }
  if (towers.includes('image')) {
    entries.push({ ...towerFile(spec, 'image', variant), required: true, role: 'vision-model' })
  }
  // vocab.txt comes last: scripts (pnpm start) take its presence to mean a finished download.
  const vocab = spec.supportFiles.find((file) => file.path === vocabFileName)
  entries.push({ ...(vocab ?? { path: vocabFileName }), required: true, role: 'vocab' })
  return entries
}
