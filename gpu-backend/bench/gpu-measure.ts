// One provider × precision of bench:gpu: the text and image towers as sessions on that provider,
// timed per shape (warm-up first: WebGPU compiles shaders and CUDA picks kernels on a shape's first
// run), until the group's time share runs out. Where each node ran comes from ORT's profile of one
// first run, ended before any timing so profiling costs the figures nothing.
import { readFile } from 'node:fs/promises'
import { imageTensorLength, jinaClipV1, OnnxImageTower, OnnxTextTower } from '@edgeclip/core'
import { createPlacedSession } from '../src/providers/ort-session'
import type { NodePlacement } from '../src/providers/placement'
import type { BenchTowerFiles, Precision } from './gpu-towers'
import { perSecond, round, seededRandom, syntheticIds } from './measure'

export type BenchProvider = 'webgpu' | 'cpu'

export interface GroupResult {
  provider: BenchProvider
  precision: Precision
  placement: { text?: NodePlacement; image?: NodePlacement }
  text: { tokens: number; batchSize: number; runs: number; msPerBatch: number; tokensPerSecond: number }[]
  image: { batchSize: number; runs: number; msPerBatch: number; imagesPerSecond: number }[]
  /** Shapes not measured because the group's time share ran out, or that failed (and why). */
  skipped: string[]
}

export interface GroupPlan {
  provider: BenchProvider
  precision: Precision
  tokens: readonly number[]
  textBatches: readonly number[]
  imageBatches: readonly number[]
  /** performance.now() by which the group stops starting new shapes. */
  stopAt: number
  /** Seconds of timed runs per shape, at least two runs. */
  shapeSeconds: number
}

const MAX_RUNS = 20
const MAX_BATCH = 256

async function timed(
  plan: GroupPlan,
  stopAt: number,
  work: () => Promise<unknown>,
): Promise<{ ms: number; runs: number }> {
  await work()
  const times: number[] = []
  const until = Math.min(stopAt, performance.now() + plan.shapeSeconds * 1000)
  while (times.length < MAX_RUNS && (times.length < 2 || performance.now() < until)) {
    const started = performance.now()
    await work()
    times.push(performance.now() - started)
  }
  times.sort((a, b) => a - b)
  return { ms: times[Math.floor(times.length / 2)]!, runs: times.length }
}

export async function measureGroup(
  plan: GroupPlan,
  files: BenchTowerFiles,
  log: (line: string) => void,
): Promise<GroupResult> {
  const { provider, precision } = plan
  const options = {
    executionProviders: provider === 'cpu' ? ['cpu'] : [provider, 'cpu'],
    profile: provider !== 'cpu',
  }
  const result: GroupResult = { provider, precision, placement: {}, text: [], image: [], skipped: [] }
  const random = seededRandom(7)
  /** The text sweep gets 40 % of the group's share, the (longer) image sweep the rest. */
  let stopAt = performance.now() + (plan.stopAt - performance.now()) * 0.4
  /** ms per token or image in the last shape measured: the next shape's 3 runs are predicted from it. */
  let msPerUnit = 0
  const attempt = async (name: string, units: number, work: () => Promise<{ ms: number; runs: number }>) => {
    const left = stopAt - performance.now()
    if (left <= 0 || 3 * msPerUnit * units > left) {
      result.skipped.push(`${name}: ${left <= 0 ? 'time share spent' : 'would overrun the time share'}`)
      return undefined
    }
    try {
      const timing = await work()
      msPerUnit = timing.ms / units
      return timing
    } catch (error) {
      result.skipped.push(`${name}: failed: ${String(error).split('\n')[0]}`)
      return undefined
    }
  }

  const textSession = await createPlacedSession(
    new Uint8Array(await readFile(files.text[precision])),
    options,
  )
  const text = new OnnxTextTower(textSession, jinaClipV1, { maxBatchSize: MAX_BATCH })
  await text.embed([syntheticIds(16, files.textRows, random)])
  const textPlacement = await textSession.placement()
  if (textPlacement) result.placement.text = textPlacement
  for (const tokens of plan.tokens) {
    for (const batchSize of plan.textBatches) {
      const batch = Array.from({ length: batchSize }, () => syntheticIds(tokens, files.textRows, random))
      const timing = await attempt(`text ${tokens} tokens × ${batchSize}`, tokens * batchSize, () =>
        timed(plan, stopAt, () => text.embed(batch)),
      )
      if (!timing) continue
      const row = {
        tokens,
        batchSize,
        runs: timing.runs,
        msPerBatch: round(timing.ms, 2),
        tokensPerSecond: perSecond(tokens * batchSize, timing.ms),
      }
      log(`${provider} ${precision} text ${JSON.stringify(row)}`)
      result.text.push(row)
    }
  }
  await text.release()
  stopAt = plan.stopAt
  msPerUnit = 0

  const imageSession = await createPlacedSession(
    new Uint8Array(await readFile(files.image[precision])),
    options,
  )
  const image = new OnnxImageTower(imageSession, jinaClipV1, { maxBatchSize: MAX_BATCH })
  const pixels = Float32Array.from({ length: imageTensorLength(jinaClipV1.image) }, () => random() * 4 - 2)
  await image.embed([pixels])
  const imagePlacement = await imageSession.placement()
  if (imagePlacement) result.placement.image = imagePlacement
  for (const batchSize of plan.imageBatches) {
    const batch = Array.from({ length: batchSize }, () => pixels)
    const timing = await attempt(`image × ${batchSize}`, batchSize, () =>
      timed(plan, stopAt, () => image.embed(batch)),
    )
    if (!timing) continue
    const row = {
      batchSize,
      runs: timing.runs,
      msPerBatch: round(timing.ms, 2),
      imagesPerSecond: perSecond(batchSize, timing.ms),
    }
    log(`${provider} ${precision} image ${JSON.stringify(row)}`)
    result.image.push(row)
  }
  await image.release()
  return result
}
