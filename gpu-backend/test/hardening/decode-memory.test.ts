// Small files that declare large images: each within the pixel limit, a few hundred KB on the wire,
// 48 MB of raw pixels once decoded. Decoding them all at once made one 3 MB request hold gigabytes;
// one image at a time per thread (and on the main thread) keeps a few decoded images alive at most.
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { postBatch, startFixtureBackend } from '../backend-test-support'

const SIDE = 4000
const IMAGES = 12
const rawBytes = SIDE * SIDE * 3
// Measured: serial decoding grows by 2-4 raw images, all at once by 9-12: the bound sits between.
const MAX_GROWTH = 6 * rawBytes

async function largeJpeg(): Promise<Uint8Array> {
  const background = { r: 120, g: 30, b: 200 }
  const image = sharp({ create: { width: SIDE, height: SIDE, channels: 3, background } })
  return new Uint8Array(await image.jpeg({ quality: 50 }).toBuffer())
}

describe('decoding a request of large images', () => {
  let jpeg: Uint8Array
  beforeAll(async () => {
    jpeg = await largeJpeg()
  })
  // Each case decodes 576 MB of pixels: ~5 s on a quiet 2-core machine, so its timeout (a hang
  // catcher only) is well above what a loaded one takes.
  for (const threads of ['1', '0']) {
    it(`holds a few decoded images at a time, not all of them (IMAGE_THREADS=${threads})`, {
      timeout: 180_000,
    }, async () => {
      const backend = await startFixtureBackend({ IMAGE_THREADS: threads })
      try {
        const baseline = process.memoryUsage().rss
        let peak = baseline
        // The workers share this process, so its resident size covers their pixels too.
        const sampler = setInterval(() => {
          peak = Math.max(peak, process.memoryUsage().rss)
        }, 10)
        const response = await postBatch(
          backend.url,
          Array.from({ length: IMAGES }, () => ({ kind: 'image' as const, bytes: jpeg })),
        ).finally(() => clearInterval(sampler))
        expect(response.status).toBe(200)
        expect(response.result!.items.every((item) => item.ok)).toBe(true)
        expect(peak - baseline).toBeLessThan(MAX_GROWTH)
      } finally {
        await backend.close()
      }
    })
  }
})
