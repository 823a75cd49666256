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

parentPort!.on('message', async ({ id, bytes }: ImageJob) => {
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
})
