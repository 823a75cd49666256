// Where the towers' bytes come from: the fixture built in memory (EDGECLIP_MODEL=fixture), or a model
// directory read with core's readModelDir. Bytes are read lazily, per variant, once the provider is known.
import { createHash } from 'node:crypto'
import { defaultModelSpec, fixtureModelSpec, type ModelSpec, type OnnxVariant } from '@edgeclip/core'
import { checkServedVocab, readModelDir, readTowerFile } from '@edgeclip/core/node'
import type { BackendConfig } from '../config'

export interface TowerBytes {
  variant: OnnxVariant
  text: Uint8Array | undefined
  image: Uint8Array | undefined
  /** Hex sha256 of the bytes above (checked against the manifest): the weights in cache keys. */
  sha256: { text: string | undefined; image: string | undefined }
}

const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

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
      read: async () => {
        const [text, image] = [buildFixtureTextModel(), buildFixtureVisionModel()]
        return { variant: 'fp32', text, image, sha256: { text: sha256Of(text), image: sha256Of(image) } }
      },
    }
  }
  const spec = model.kind === 'fixture' ? fixtureModelSpec : defaultModelSpec
  const dir = model.dir
  const probe = await readModelDir(dir, spec, 'fp32')
  checkServedVocab(probe)
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
      // Hashed as loaded: a file that is not the one its manifest recorded is refused here.
      const text = found.textModelPath
        ? await readTowerFile(found.textModelPath, found.expectedSha256.text)
        : undefined
      const image = found.visionModelPath
        ? await readTowerFile(found.visionModelPath, found.expectedSha256.image)
        : undefined
      return {
        variant: found.variant,
        text: text?.bytes,
        image: image?.bytes,
        sha256: { text: text?.sha256, image: image?.sha256 },
      }
    },
  }
}
