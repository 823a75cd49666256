// Worker thread: decodes and preprocesses images off the main thread, where the Pillow-exact
// resize (pure JS) would otherwise stall the batcher and every other request.
import { parentPort, workerData } from 'node:worker_threads'
import { type ImageSpec, isEdgeclipError, preprocessImage } from '@edgeclip/core'
import { SharpImageDecoder } from '@edgeclip/core/node'

export interface ImageWorkerData {
  spec: ImageSpec
  maxPixels: number
}

export interface ImageJob {
  id: number
  bytes: Uint8Array
}

export type ImageJobResult =
  | { id: number; tensor: Float32Array }
  | { id: number; error: { status: number; code: string; message: string } }

const { spec, maxPixels } = workerData as ImageWorkerData
const decoder = new SharpImageDecoder({ maxPixels })

// One job at a time: a request of many small files that declare large images (each within the pixel
// limit) would otherwise have sharp decode all of them at once, gigabytes of raw pixels waiting for
// the resize. In turn, at most one decoded image per thread is alive.
let previous: Promise<void> = Promise.resolve()
parentPort!.on('message', (job: ImageJob) => {
  previous = previous.then(() => prepare(job))
})

async function prepare({ id, bytes }: ImageJob): Promise<void> {
  try {
    const tensor = preprocessImage(await decoder.decode(bytes), spec)
    parentPort!.postMessage({ id, tensor } satisfies ImageJobResult, [tensor.buffer as ArrayBuffer])
  } catch (error) {
    const failure = isEdgeclipError(error)
      ? { status: error.status, code: error.code, message: error.message }
      : {
          status: 422,
          code: 'invalid_image',
          message: error instanceof Error ? error.message : String(error),
        }
    parentPort!.postMessage({ id, error: failure } satisfies ImageJobResult)
  }
}
