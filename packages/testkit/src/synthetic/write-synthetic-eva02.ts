// Writes the synthetic EVA02 vision tower to disk, fp32 (344 MB at full size, like the published
// vision_model.onnx) or fp16 (172 MB). Files are reused when present: writing takes seconds.
import { access, mkdir, rename, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { writeOnnxStreaming } from '@edgeclip/edge-model/node'
import { type Eva02Precision, eva02Graph } from './eva02-graph'
import { type Eva02Shape, eva02Shape } from './eva02-shape'

export interface SyntheticEva02Options {
  seed?: number
  /** Defaults to jina-clip-v1's vision tower; tests shrink the layer count. */
  shape?: Partial<Eva02Shape>
  precision?: Eva02Precision
}

export async function writeSyntheticEva02(
  path: string,
  options: SyntheticEva02Options = {},
): Promise<{ path: string; bytes: number }> {
  const shape = { ...eva02Shape, ...options.shape }
  const present = await access(path).then(
    () => true,
    () => false,
  )
  if (!present) {
    await mkdir(dirname(path), { recursive: true })
    const partial = `${path}.partial`
    await writeOnnxStreaming(partial, eva02Graph(shape, options.seed ?? 1, options.precision ?? 'fp32'))
    await rename(partial, path)
  }
  return { path, bytes: (await stat(path)).size }
}
