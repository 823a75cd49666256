// Writes the synthetic JinaBERT text tower to disk in fp32 or one of the edge variants. Files are
// reused when present: the fp32 model takes seconds to write and 550 MB of disk.
import { access, mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { buildEdgeModel, quantizeTextModel } from '@edgeclip/edge-model'
import { writeOnnxStreaming } from '@edgeclip/edge-model/node'
import { jinaBertGraph } from './jina-bert-graph'
import { type JinaBertShape, jinaBertShape } from './jina-bert-shape'
import { toFp16 } from './to-fp16'

export type SyntheticVariant = 'fp32' | 'fp16' | 'int8' | 'q4' | 'edge'

export interface SyntheticJinaBertOptions {
  seed?: number
  /** Defaults to the real tower's shape; tests shrink it. */
  shape?: Partial<JinaBertShape>
  /**
   * `fp32`: the published model's layout (one file, input_ids -> text_embeds); `fp16`: half weights
   * and compute, float32 text_embeds (as text_model_fp16.onnx); `int8`/`q4`: the same I/O with
   * quantized weights; `edge`: `path` is a folder holding the edge artifact (2 parts).
   */
  variant?: SyntheticVariant
  /** Parts of the `edge` variant. */
  parts?: number
  /**
   * Also output the per-token states as `last_hidden_state` beside `text_embeds` (fp32, int8, q4),
   * so transformers.js's feature-extraction pipeline can run the same file.
   */
  lastHiddenState?: boolean
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  )

async function sizeOf(path: string): Promise<number> {
  return (await stat(path)).size
}

export async function writeSyntheticJinaBert(
  path: string,
  options: SyntheticJinaBertOptions = {},
): Promise<{ path: string; bytes: number }> {
  const variant = options.variant ?? 'fp32'
  const shape = { ...jinaBertShape, ...options.shape }
  const seed = options.seed ?? 1
  if (variant === 'edge' && options.lastHiddenState)
    throw new RangeError('the edge artifact has no last_hidden_state output; write fp32, int8 or q4')
  if (variant === 'fp32' || variant === 'fp16') {
    if (!(await exists(path))) {
      await mkdir(dirname(path), { recursive: true })
      const partial = `${path}.partial`
      const lastHiddenState = options.lastHiddenState ?? false
      const graph = jinaBertGraph(shape, seed, { lastHiddenState })
      await writeOnnxStreaming(partial, variant === 'fp16' ? toFp16(graph) : graph)
      await rename(partial, path)
    }
    return { path, bytes: await sizeOf(path) }
  }
  // Variants derive from the fp32 file kept beside them.
  const fp32Path = join(
    dirname(path),
    `fp32-${shape.layers}x${shape.width}-${shape.intermediate}-${shape.vocabRows}-${seed}${options.lastHiddenState ? '-hidden' : ''}.onnx`,
  )
  await writeSyntheticJinaBert(fp32Path, { ...options, variant: 'fp32' })
  if (variant === 'edge') {
    const manifestPath = join(path, 'manifest.json')
    if (!(await exists(manifestPath))) {
      const { files } = await buildEdgeModel(await readFile(fp32Path), { parts: options.parts ?? 2 })
      await mkdir(path, { recursive: true })
      for (const [name, bytes] of files) await writeFile(join(path, name), bytes)
    }
    let bytes = 0
    for (const name of await readdir(path)) bytes += await sizeOf(join(path, name))
    return { path, bytes }
  }
  if (!(await exists(path))) {
    await mkdir(dirname(path), { recursive: true })
    await writeFile(path, quantizeTextModel(await readFile(fp32Path), variant))
  }
  return { path, bytes: await sizeOf(path) }
}
