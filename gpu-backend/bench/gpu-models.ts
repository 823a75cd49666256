// Which towers the GPU benchmark measures: the real model from a directory when given (the figures
// that matter), else the synthetic full-size JinaBERT text tower from testkit when it exists, else
// the fixture (which then measures only overhead). Each choice is reported with the figures.
import { mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defaultModelSpec, fixtureModelSpec, type ModelSpec, type OnnxVariant } from '@edgeclip/core'
import { readModelBytes, readModelDir } from '@edgeclip/core/node'
import { buildFixtureTextModel, buildFixtureVisionModel } from '@edgeclip/testkit'
import { benchFixtureSpec } from './bench-towers'

export interface GpuBenchModels {
  textSpec: ModelSpec
  imageSpec: ModelSpec
  text: Uint8Array
  image: Uint8Array
  describe: { text: string; image: string }
}

export async function gpuBenchModels(
  modelDir: string | undefined,
  variant: OnnxVariant,
  log: (message: string) => void,
): Promise<GpuBenchModels> {
  if (modelDir) {
    const found = await readModelDir(modelDir, defaultModelSpec, variant, { require: ['text', 'image'] })
    return {
      textSpec: defaultModelSpec,
      imageSpec: defaultModelSpec,
      text: await readModelBytes(found.textModelPath!),
      image: await readModelBytes(found.visionModelPath!),
      describe: { text: `${found.textModelPath}`, image: `${found.visionModelPath}` },
    }
  }
  const synthetic = await syntheticTextTower(log)
  return {
    textSpec: synthetic ? defaultModelSpec : benchFixtureSpec,
    imageSpec: fixtureModelSpec,
    text: synthetic?.bytes ?? buildFixtureTextModel(),
    image: buildFixtureVisionModel(),
    describe: {
      text: synthetic
        ? 'synthetic JinaBERT (12 layers, 768 wide, fp32, random weights)'
        : 'fixture (tiny: measures overhead only)',
      image: 'fixture vision tower (tiny: measures overhead only; pass --model-dir for EVA02 figures)',
    },
  }
}

/** The synthetic full-size text tower, when testkit has its builder (it is built by another issue). */
async function syntheticTextTower(
  log: (message: string) => void,
): Promise<{ bytes: Uint8Array } | undefined> {
  const testkit: Record<string, unknown> = await import('@edgeclip/testkit')
  const write = testkit.writeSyntheticJinaBert
  if (typeof write !== 'function') {
    log('testkit has no writeSyntheticJinaBert: measuring the fixture text tower instead')
    return undefined
  }
  const dir = join(tmpdir(), 'edgeclip-bench-gpu')
  await mkdir(dir, { recursive: true })
  const path = join(dir, 'text_model.onnx')
  log(`building the synthetic JinaBERT at ${path}`)
  try {
    await (write as (path: string, options: object) => Promise<unknown>)(path, { seed: 1 })
    return { bytes: await readModelBytes(path) }
  } catch (error) {
    log(`synthetic JinaBERT failed (${String(error)}): measuring the fixture text tower instead`)
    return undefined
  }
}
