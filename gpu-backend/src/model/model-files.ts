// Where the towers' bytes come from: the fixture built in memory (EDGECLIP_MODEL=fixture), or a model
// directory read with core's readModelDir. Bytes are read lazily, per variant, once the provider is known.
import { defaultModelSpec, fixtureModelSpec, type ModelSpec, type OnnxVariant } from '@edgeclip/core'
import { readModelBytes, readModelDir } from '@edgeclip/core/node'
import type { BackendConfig } from '../config'

export interface TowerBytes {
  variant: OnnxVariant
  text: Uint8Array | undefined
  image: Uint8Array | undefined
}

export interface ModelFiles {
  spec: ModelSpec
  vocab: string
  /** Tower bytes in `variant`, or fp32 when the directory lacks that variant. */
  read(variant: OnnxVariant): Promise<TowerBytes>
}

export async function openModelFiles(model: BackendConfig['model']): Promise<ModelFiles> {
  if (model.dir === undefined) {
    // The fixture builders are pure and fast; importing them lazily keeps testkit off the real path.
    const { buildFixtureTextModel, buildFixtureVisionModel, buildFixtureVocab } = await import(
      '@edgeclip/testkit'
    )
    return {
      spec: fixtureModelSpec,
      vocab: buildFixtureVocab(),
      // The fixture has only fp32 towers, whatever the provider prefers.
      read: async () => ({
        variant: 'fp32',
        text: buildFixtureTextModel(),
        image: buildFixtureVisionModel(),
      }),
    }
  }
  const spec = model.kind === 'fixture' ? fixtureModelSpec : defaultModelSpec
  const dir = model.dir
  const probe = await readModelDir(dir, spec, 'fp32')
  return {
    spec,
    vocab: probe.vocab,
    async read(variant) {
      let found = await readModelDir(dir, spec, variant)
      if (!found.textModelPath && !found.visionModelPath && variant !== 'fp32') {
        found = probe
      }
      if (!found.textModelPath && !found.visionModelPath) {
        throw new Error(`no ONNX towers in ${dir} (looked for ${variant} and fp32)`)
      }
      return {
        variant: found.variant,
        text: found.textModelPath ? await readModelBytes(found.textModelPath) : undefined,
        image: found.visionModelPath ? await readModelBytes(found.visionModelPath) : undefined,
      }
    },
  }
}
