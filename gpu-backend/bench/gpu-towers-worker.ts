// Writes one synthetic tower file on its own thread: the four full-size files take minutes on one
// core (random weights drawn in JS), seconds when the GPU box's cores draw them side by side.
import { parentPort, workerData } from 'node:worker_threads'
import { writeSyntheticEva02, writeSyntheticJinaBert } from '@edgeclip/testkit'

export interface TowerJob {
  tower: 'text' | 'image'
  precision: 'fp16' | 'fp32'
  path: string
  shape?: Record<string, number>
}

const job = workerData as TowerJob
const written =
  job.tower === 'text'
    ? await writeSyntheticJinaBert(job.path, {
        variant: job.precision,
        ...(job.shape ? { shape: job.shape } : {}),
      })
    : await writeSyntheticEva02(job.path, {
        precision: job.precision,
        ...(job.shape ? { shape: job.shape } : {}),
      })
parentPort!.postMessage(written.path)
