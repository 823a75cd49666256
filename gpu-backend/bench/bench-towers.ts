// Towers for the benchmarks: the fixture's (tiny, real I/O contract) and, when given, a full-size
// text tower file (the synthetic JinaBERT or the real model) on the chosen provider.
import { readFile } from 'node:fs/promises'
import {
  fixtureModelSpec,
  type ImageTower,
  jinaClipV1,
  type ModelSpec,
  OnnxImageTower,
  OnnxTextTower,
  type TextTower,
} from '@edgeclip/core'
import { createNodeSession } from '@edgeclip/core/onnx-node'
import { buildFixtureTextModel, buildFixtureVisionModel } from '@edgeclip/testkit'

/** The fixture's spec with the real model's token limit, so 2048-token texts can be measured. */
export const benchFixtureSpec: ModelSpec = { ...fixtureModelSpec, maxTokens: jinaClipV1.maxTokens }

export interface BenchTowers {
  spec: ModelSpec
  text: TextTower
  image: ImageTower | undefined
  release(): Promise<void>
}

export async function fixtureTowers(
  providers: readonly string[],
  maxBatchSize: number,
): Promise<BenchTowers> {
  const options = { executionProviders: providers }
  const text = new OnnxTextTower(
    await createNodeSession(buildFixtureTextModel(), options),
    benchFixtureSpec,
    {
      maxBatchSize,
    },
  )
  const image = new OnnxImageTower(
    await createNodeSession(buildFixtureVisionModel(), options),
    benchFixtureSpec,
    { maxBatchSize },
  )
  return {
    spec: benchFixtureSpec,
    text,
    image,
    release: async () => {
      await Promise.all([text.release(), image.release()])
    },
  }
}

/** A full-size text tower from an ONNX file with jina-clip-v1's I/O contract. */
export async function fileTextTower(
  path: string,
  providers: readonly string[],
  maxBatchSize: number,
): Promise<BenchTowers> {
  const bytes = new Uint8Array(await readFile(path))
  const text = new OnnxTextTower(
    await createNodeSession(bytes, { executionProviders: providers }),
    jinaClipV1,
    { maxBatchSize },
  )
  return { spec: jinaClipV1, text, image: undefined, release: () => text.release() }
}
