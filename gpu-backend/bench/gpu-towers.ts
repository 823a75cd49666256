// The towers bench:gpu measures: testkit's synthetic JinaBERT and EVA02 at jina-clip-v1's full shape
// (random weights: speed depends on shape, not values), fp16 and fp32. A dry run shrinks them to
// one thin layer, so the script runs end to end on lavapipe in seconds; its figures are labelled.
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { jinaBertShape } from '@edgeclip/testkit'
import { workerExecArgv } from '../src/inference/image-pool/image-worker-pool'
import type { TowerJob } from './gpu-towers-worker'

export type Precision = 'fp16' | 'fp32'

export interface BenchTowerFiles {
  dir: string
  /** Token ids must stay below this (the tiny tower has a small table). */
  textRows: number
  text: Record<Precision, string>
  image: Record<Precision, string>
  describe: { text: string; image: string }
}

const TINY_TEXT = { layers: 1, intermediate: 64, vocabRows: 4096 }
const TINY_IMAGE = { layers: 1, width: 64, heads: 2, mlpWidth: 64 }

export async function writeBenchTowers(tiny: boolean, log: (line: string) => void): Promise<BenchTowerFiles> {
  // Full-size files are kept for a rerun on the same box; tiny ones are per process (tests run
  // side by side) and gpu-run.ts removes them.
  const dir = join(tmpdir(), tiny ? `edgeclip-bench-gpu-tiny-${process.pid}` : 'edgeclip-bench-gpu')
  const files = {
    dir,
    text: {},
    image: {},
    textRows: tiny ? TINY_TEXT.vocabRows : jinaBertShape.vocabRows,
  } as BenchTowerFiles
  const started = performance.now()
  const jobs: TowerJob[] = (['fp16', 'fp32'] as const).flatMap((precision) => [
    {
      tower: 'text' as const,
      precision,
      path: join(dir, `text-${precision}.onnx`),
      ...(tiny ? { shape: TINY_TEXT } : {}),
    },
    {
      tower: 'image' as const,
      precision,
      path: join(dir, `vision-${precision}.onnx`),
      ...(tiny ? { shape: TINY_IMAGE } : {}),
    },
  ])
  await Promise.all(
    jobs.map(async (job) => {
      const worker = new Worker(new URL('./gpu-towers-worker.ts', import.meta.url), {
        workerData: job,
        execArgv: workerExecArgv(),
      })
      const [path] = (await once(worker, 'message')) as [string]
      files[job.tower][job.precision] = path
      await worker.terminate()
    }),
  )
  log(
    `towers ready in ${dir} (${((performance.now() - started) / 1000).toFixed(1)} s, ${jobs.length} threads)`,
  )
  files.describe = tiny
    ? {
        text: `TINY synthetic JinaBERT (${JSON.stringify(TINY_TEXT)}): dry run, not the real shape`,
        image: `TINY synthetic EVA02 (${JSON.stringify(TINY_IMAGE)}): dry run, not the real shape`,
      }
    : {
        text: 'synthetic JinaBERT, full shape (12 layers, 768 wide, GLU 3072, ALiBi; 137M parameters), random weights',
        image:
          'synthetic EVA02 ViT-B/16, full shape (224², patch 16, 12 layers, 768 wide, 2-D RoPE, SwiGLU 2048; 86M parameters), random weights',
      }
  return files
}
