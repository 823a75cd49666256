// The decoder and preprocessing together against Pillow's reference pipeline, on the shared test
// images and on JPEG, WebP and PNG variants made here.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { craftPng, noisyRgb, scanlines } from '../../test/goldens/crafted-images'
import { maxAbsDiff, pillowTensors, pillowUnavailableReason } from '../../test/goldens/pillow-golden'
import { centerCropOffsets, jinaClipV1, preprocessImage, resizedSize } from '..'
import { SharpImageDecoder } from '.'

const spec = jinaClipV1.image
const decoder = new SharpImageDecoder()
const imagesDirectory = resolve(import.meta.dirname, '../../../../../shared/data/images')
const referencePath = join(imagesDirectory, `REFERENCE_PREPROCESS_${spec.size}.json`)
const sharedMissing = existsSync(referencePath)
  ? undefined
  : `${referencePath} is absent (../shared beside the repo)`
const pillowMissing = pillowUnavailableReason()
if (sharedMissing) console.warn(`skipping shared-image tests: ${sharedMissing}`)
if (pillowMissing) console.warn(`skipping Pillow comparisons: ${pillowMissing}`)

// 224 is jina-clip-v1's input; 512 (jina-clip-v2's) checks nothing depends on one size.
describe.skipIf(sharedMissing !== undefined).each([224, 512])(
  'SharpImageDecoder on the shared test images at %i',
  (size) => {
    const spec = { ...jinaClipV1.image, size }
    const path = join(imagesDirectory, `REFERENCE_PREPROCESS_${size}.json`)
    const reference = sharedMissing ? { images: {} } : JSON.parse(readFileSync(path, 'utf8'))
    const names = Object.keys(reference.images) as string[]

    it.each(names)('%s: mode, size, crop and reference samples', async (name) => {
      const expected = reference.images[name]
      const image = await decoder.decode(readFileSync(join(imagesDirectory, name)))
      expect(image.mode).toBe(expected.mode)
      expect([image.width, image.height]).toEqual(expected.width_height)
      const resized = resizedSize(image.width, image.height, spec.size)
      expect([resized.width, resized.height]).toEqual(expected.resized_width_height)
      const offsets = centerCropOffsets(resized.width, resized.height, spec.size)
      expect([offsets.left, offsets.top]).toEqual(expected.crop_left_top_round)
      const tensor = preprocessImage(image, spec)
      const plane = spec.size * spec.size
      for (const [key, value] of Object.entries(expected.samples_c_y_x as Record<string, number>)) {
        const [channel, y, x] = key.split(',').map(Number) as [number, number, number]
        expect(Math.abs((tensor[channel * plane + y * spec.size + x] as number) - value)).toBeLessThanOrEqual(
          1e-5,
        )
      }
      for (let channel = 0; channel < 3; channel++) {
        let sum = 0
        for (let index = 0; index < plane; index++) sum += tensor[channel * plane + index] as number
        // numpy summed these means naively in float32 (a transposed view): ~3e-3 of drift at 512x512.
        expect(Math.abs(sum / plane - expected.channel_mean[channel])).toBeLessThanOrEqual(5e-3)
      }
    })

    it.skipIf(pillowMissing !== undefined)(
      'every full tensor matches Pillow (<= 0.02; PNG exactly)',
      async () => {
        const files = names.map((name) => join(imagesDirectory, name))
        const expected = pillowTensors(
          files.map((file) => ({ file })),
          spec,
        )
        for (const [index, file] of files.entries()) {
          const tensor = preprocessImage(await decoder.decode(readFileSync(file)), spec)
          const difference = maxAbsDiff(tensor, expected[index] as Float32Array)
          console.info(`max abs diff vs Pillow at ${size}, ${names[index]}: ${difference}`)
          expect(difference).toBeLessThanOrEqual(file.endsWith('.png') ? 0 : 0.02)
        }
      },
    )
  },
)

describe.skipIf(pillowMissing !== undefined)('SharpImageDecoder on lossy formats, against Pillow', () => {
  // Decoders differ across libjpeg-turbo/mozjpeg and libwebp builds, so these get the hard bound.
  it('stays within 0.02 of Pillow on JPEG and WebP variants', async () => {
    const [width, height] = [301, 257]
    const photo = () =>
      sharp({ create: { width, height, channels: 3, background: '#3a7' } })
        .composite([
          { input: noisyRgb(width, height), raw: { width, height, channels: 3 }, blend: 'overlay' },
        ])
        .flatten()
    const variants: [string, Buffer][] = [
      ['JPEG 4:2:0', await photo().jpeg({ quality: 85 }).toBuffer()],
      ['JPEG 4:4:4', await photo().jpeg({ quality: 90, chromaSubsampling: '4:4:4' }).toBuffer()],
      ['JPEG progressive', await photo().jpeg({ progressive: true }).toBuffer()],
      ['JPEG grey', await photo().toColourspace('b-w').jpeg().toBuffer()],
      ['WebP lossy', await photo().webp({ quality: 80 }).toBuffer()],
      ['WebP lossless', await photo().webp({ lossless: true }).toBuffer()],
      ['WebP lossy with alpha', await photo().ensureAlpha(0.6).webp({ quality: 80 }).toBuffer()],
      ['JPEG CMYK', await photo().toColourspace('cmyk').jpeg().toBuffer()],
    ]
    const directory = mkdtempSync(join(tmpdir(), 'edgeclip-lossy-'))
    try {
      const files = variants.map(([name, bytes], index) => {
        const file = join(directory, `${index}.${name.startsWith('JPEG') ? 'jpg' : 'webp'}`)
        writeFileSync(file, bytes)
        return { file }
      })
      const expected = pillowTensors(files, spec)
      for (const [index, [name, bytes]] of variants.entries()) {
        const difference = maxAbsDiff(
          preprocessImage(await decoder.decode(bytes), spec),
          expected[index] as Float32Array,
        )
        console.info(`max abs diff vs Pillow, ${name}: ${difference}`)
        expect(difference).toBeLessThanOrEqual(0.02)
      }
    } finally {
      rmSync(directory, { recursive: true, force: true })
    }
  })
})

describe.skipIf(pillowMissing !== undefined)('SharpImageDecoder on PNG layouts, against Pillow', () => {
  const [width, height] = [45, 33]
  const palette16 = Uint8Array.from({ length: 48 }, (_, index) => (index * 53) % 256)
  const layouts: [string, Buffer][] = [
    ['grey 2-bit', craftPng(width, height, 2, 0, scanlines(width, height, 2, 1))],
    ['grey 4-bit', craftPng(width, height, 4, 0, scanlines(width, height, 4, 2))],
    ['grey 1-bit', craftPng(width, height, 1, 0, scanlines(width, height, 1, 3))],
    [
      'grey + tRNS',
      craftPng(width, height, 8, 0, scanlines(width, height, 8, 4), { tRNS: Uint8Array.of(0, 7) }),
    ],
    [
      'RGB + tRNS',
      craftPng(width, height, 8, 2, scanlines(width, height, 24, 5), {
        tRNS: Uint8Array.of(0, 1, 0, 2, 0, 3),
      }),
    ],
    ['RGB 16-bit', craftPng(width, height, 16, 2, scanlines(width, height, 48, 6))],
    ['RGBA 16-bit', craftPng(width, height, 16, 6, scanlines(width, height, 64, 7))],
    ['grey+alpha 8-bit', craftPng(width, height, 8, 4, scanlines(width, height, 16, 8))],
    ['grey+alpha 16-bit', craftPng(width, height, 16, 4, scanlines(width, height, 32, 9))],
    [
      'palette 4-bit + tRNS',
      craftPng(width, height, 4, 3, scanlines(width, height, 4, 10), {
        PLTE: palette16,
        tRNS: Uint8Array.of(0, 128),
      }),
    ],
  ]

  it('matches Pillow exactly on every layout', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'edgeclip-png-'))
    try {
      const files = layouts.map(([, bytes], index) => {
        const file = join(directory, `${index}.png`)
        writeFileSync(file, bytes)
        return { file }
      })
      const expected = pillowTensors(files, spec)
      for (const [index, [name, bytes]] of layouts.entries()) {
        const difference = maxAbsDiff(
          preprocessImage(await decoder.decode(bytes), spec),
          expected[index] as Float32Array,
        )
        console.info(`max abs diff vs Pillow, PNG ${name}: ${difference}`)
        expect({ name, difference }).toEqual({ name, difference: 0 })
      }
    } finally {
      rmSync(directory, { recursive: true, force: true })
    }
  })
})
