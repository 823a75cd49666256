// Runs each tower once before /readyz says ready: the first session.run allocates buffers (and on
// CUDA picks kernels), which would otherwise land on the first real request.
import { imageTensorLength } from '@edgeclip/core'
import type { LoadedTowers } from './load-towers'

/** Token ids the warm-up text uses: [CLS] [UNK] [SEP], valid for any vocab of the spec's shape. */
export async function warmUp(towers: LoadedTowers): Promise<{ textMs?: number; imageMs?: number }> {
  const { spec } = towers
  const timings: { textMs?: number; imageMs?: number } = {}
  if (towers.textTower) {
    const started = performance.now()
    const { clsId, unkId, sepId } = spec.tokenizer
    await towers.textTower.embed([[clsId, unkId, sepId]])
    timings.textMs = performance.now() - started
  }
  if (towers.imageTower) {
    const started = performance.now()
    await towers.imageTower.embed([new Float32Array(imageTensorLength(spec.image))])
    timings.imageMs = performance.now() - started
  }
  return timings
}
