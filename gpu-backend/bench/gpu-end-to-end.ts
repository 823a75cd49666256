// The service path on the GPU machine, without HTTP: JPEG bytes decoded and preprocessed on the
// worker pool, batched by BatchEmbedder onto the CUDA image tower. On a GPU the decode side is
// usually the ceiling, so this is the images/s a deployment actually gets per container.
import { availableParallelism } from 'node:os'
import type { BackendItem, ImageTower, ModelSpec } from '@edgeclip/core'
import { SharpImageDecoder } from '@edgeclip/core/node'
import sharp from 'sharp'
import { defaultBatching } from '../src/config'
import { BatchEmbedder, ImageWorkerPool } from '../src/inference'
import { perSecond, seededRandom } from './measure'

export async function imagesEndToEnd(spec: ModelSpec, imageTower: ImageTower, count: number) {
  const random = seededRandom(9)
  const [width, height] = [640, 480]
  const images = await Promise.all(
    Array.from({ length: count }, async () => {
      const pixels = Buffer.alloc(width * height * 3)
      for (let index = 0; index < pixels.length; index++) pixels[index] = Math.floor(random() * 256)
      const jpeg = await sharp(pixels, { raw: { width, height, channels: 3 } })
        .jpeg()
        .toBuffer()
      return new Uint8Array(jpeg)
    }),
  )
  const threads = Math.max(1, Math.min(8, availableParallelism() - 1))
  const pool = new ImageWorkerPool({ threads, spec: spec.image, maxPixels: 50_000_000 })
  try {
    const embedder = new BatchEmbedder({
      spec,
      textTower: undefined,
      imageTower,
      decoder: new SharpImageDecoder(),
      prepareImage: (bytes) => pool.prepare(bytes),
      text: defaultBatching.text,
      image: { ...defaultBatching.image, maxBatchSize: Math.min(64, imageTower.maxBatchSize) },
      maxQueuedTexts: 1,
      maxQueuedImages: count,
    })
    // 16 concurrent requests of count/16 images each, as a gateway under load sends them.
    const requests = 16
    const perRequest = Math.ceil(count / requests)
    const run = () =>
      Promise.all(
        Array.from({ length: requests }, (_, request) =>
          embedder.embed(
            images
              .slice(request * perRequest, (request + 1) * perRequest)
              .map((bytes): BackendItem => ({ kind: 'image', bytes })),
          ),
        ),
      )
    await run() // warm-up: workers load sharp and core, CUDA sees the batch shapes
    const started = performance.now()
    await run()
    const ms = performance.now() - started
    return {
      images: count,
      source: '640x480 JPEG',
      decodeThreads: threads,
      imagesPerSecond: perSecond(count, ms),
    }
  } finally {
    await pool.close()
  }
}
