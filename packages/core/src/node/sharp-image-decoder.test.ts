import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { crc32, deflateSync } from 'node:zlib'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { maxAbsDiff, pillowTensors, pillowUnavailableReason } from '../../test/goldens/pillow-golden'
import {
  centerCropOffsets,
  type DecodedImage,
  EdgeclipError,
  jinaClipV1,
  preprocessImage,
  resizedSize,
} from '..'
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

async function rejection(promise: Promise<unknown>): Promise<EdgeclipError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(EdgeclipError)
  return error as EdgeclipError
}

/** Expands a decoded image to RGB the way Pillow's convert('RGB') does. */
function toRgb(image: DecodedImage): Uint8Array {
  const pixels = image.width * image.height
  const rgb = new Uint8Array(pixels * 3)
  const channels = { L: 1, LA: 2, RGB: 3, RGBA: 4, P: 1 }[image.mode]
  for (let pixel = 0; pixel < pixels; pixel++) {
    for (let channel = 0; channel < 3; channel++) {
      const value = image.data[pixel * channels + (channels >= 3 ? channel : 0)] as number
      rgb[pixel * 3 + channel] =
        image.mode === 'P'
          ? (image.palette?.[value * (image.paletteChannels ?? 3) + channel] as number)
          : value
    }
  }
  return rgb
}

/** A minimal PNG from raw (already filtered) scanlines, for layouts encoders rarely write. */
function craftPng(width: number, height: number, bitDepth: number, colorType: number, scanlines: Uint8Array) {
  const chunk = (type: string, data: Uint8Array) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
    const framed = Buffer.alloc(body.length + 8)
    framed.writeUInt32BE(data.length, 0)
    body.copy(framed, 4)
    framed.writeUInt32BE(crc32(body), body.length + 4)
    return framed
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([bitDepth, colorType, 0, 0, 0], 8)
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  return Buffer.concat([
    signature,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(scanlines)),
    chunk('IEND', new Uint8Array(0)),
  ])
}

const noisyRgb = (width: number, height: number) =>
  Buffer.from(
    Uint8Array.from({ length: width * height * 3 }, (_, index) => (index * 37 + (index >> 5)) % 256),
  )

describe.skipIf(sharedMissing !== undefined)('SharpImageDecoder on the shared test images', () => {
  const reference = sharedMissing ? { images: {} } : JSON.parse(readFileSync(referencePath, 'utf8'))
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
      // numpy took these means in float32, which drifts by ~1e-4 over 50k values.
      expect(Math.abs(sum / plane - expected.channel_mean[channel])).toBeLessThanOrEqual(1e-3)
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
        console.info(`max abs diff vs Pillow, ${names[index]}: ${difference}`)
        expect(difference).toBeLessThanOrEqual(file.endsWith('.png') ? 0 : 0.02)
      }
    },
  )
})

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

describe('SharpImageDecoder', () => {
  it('keeps palette PNGs as indices plus palette, at every bit depth, interlaced or not', async () => {
    const [width, height] = [33, 21]
    for (const [bitdepth, colours] of [
      [1, 2],
      [2, 4],
      [4, 16],
      [8, 200],
    ] as const) {
      for (const progressive of [false, true]) {
        const png = await sharp(noisyRgb(width, height), { raw: { width, height, channels: 3 } })
          .png({ palette: true, colours, progressive, effort: 1 })
          .toBuffer()
        // sharp picks the bit depth from the colour count; IHDR byte 24 holds it, byte 28 interlacing.
        expect([png[24], png[28]]).toEqual([bitdepth, progressive ? 1 : 0])
        const image = await decoder.decode(png)
        expect(image).toMatchObject({ width, height, mode: 'P' })
        const expanded = await sharp(png).removeAlpha().raw().toBuffer()
        expect(Buffer.from(toRgb(image)).equals(expanded)).toBe(true)
      }
    }
  })

  it('decodes 1-bit greyscale PNGs as a black/white palette (Pillow mode "1" resizes by nearest)', async () => {
    // 9 pixels wide: two packed bytes per row, the second holding one pixel.
    const rows = [0b10101010, 0b10000000, 0b01010101, 0b00000000]
    const png = craftPng(9, 2, 1, 0, Uint8Array.from([0, rows[0], rows[1], 0, rows[2], rows[3]] as number[]))
    const image = await decoder.decode(png)
    expect(image.mode).toBe('P')
    expect(Array.from(image.data)).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0])
    expect(Array.from(image.palette ?? [])).toEqual([0, 0, 0, 255, 255, 255])
  })

  it('returns the mode Pillow opens each image in', async () => {
    const [width, height] = [16, 12]
    const rgb = () => sharp(noisyRgb(width, height), { raw: { width, height, channels: 3 } })
    const grey = () => rgb().toColourspace('b-w')
    const cases: [string, Buffer, string][] = [
      ['grey PNG', await grey().png().toBuffer(), 'L'],
      ['grey+alpha PNG', await grey().ensureAlpha(0.5).png().toBuffer(), 'LA'],
      ['RGB PNG', await rgb().png().toBuffer(), 'RGB'],
      ['RGBA PNG', await rgb().ensureAlpha(0.5).png().toBuffer(), 'RGBA'],
      ['JPEG', await rgb().jpeg().toBuffer(), 'RGB'],
      ['grey JPEG', await grey().jpeg().toBuffer(), 'L'],
      ['WebP', await rgb().webp().toBuffer(), 'RGB'],
      ['WebP with alpha', await rgb().ensureAlpha(0.5).webp().toBuffer(), 'RGBA'],
      ['AVIF', await rgb().avif({ effort: 0 }).toBuffer(), 'RGB'],
    ]
    for (const [name, bytes, mode] of cases) {
      const image = await decoder.decode(bytes)
      expect({ name, mode: image.mode, size: [image.width, image.height] }).toEqual({
        name,
        mode,
        size: [16, 12],
      })
    }
    const gif = await decoder.decode(await rgb().gif().toBuffer())
    expect([gif.width, gif.height]).toEqual([16, 12])
  })

  it('applies no EXIF rotation and no colour management, as the reference does not', async () => {
    const [width, height] = [20, 10]
    const rotated = await sharp(noisyRgb(width, height), { raw: { width, height, channels: 3 } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer()
    expect(await decoder.decode(rotated)).toMatchObject({ width: 20, height: 10 })
    const displayP3 = await sharp(noisyRgb(width, height), { raw: { width, height, channels: 3 } })
      .withIccProfile('p3')
      .png()
      .toBuffer()
    const stored = await sharp(displayP3).keepIccProfile().raw().toBuffer()
    const untouched = await sharp(displayP3).raw().toBuffer()
    expect(stored.equals(untouched)).toBe(false)
    expect(Buffer.from((await decoder.decode(displayP3)).data).equals(stored)).toBe(true)
  })

  it('refuses decompression bombs from the header, before decoding (413)', async () => {
    const bomb = craftPng(100_000, 100_000, 8, 2, new Uint8Array(0))
    const error = await rejection(decoder.decode(bomb))
    expect([error.status, error.code]).toEqual([413, 'image_too_large'])
    const small = new SharpImageDecoder({ maxPixels: 100 })
    const png = await sharp(noisyRgb(11, 10), { raw: { width: 11, height: 10, channels: 3 } })
      .png()
      .toBuffer()
    expect((await rejection(small.decode(png))).status).toBe(413)
  })

  it('answers 422 for non-images and truncated files, 415 for formats it does not decode', async () => {
    const png = await sharp(noisyRgb(64, 64), { raw: { width: 64, height: 64, channels: 3 } })
      .png()
      .toBuffer()
    const jpeg = await sharp(noisyRgb(64, 64), { raw: { width: 64, height: 64, channels: 3 } })
      .jpeg()
      .toBuffer()
    const palette = await sharp(noisyRgb(64, 64), { raw: { width: 64, height: 64, channels: 3 } })
      .png({ palette: true })
      .toBuffer()
    for (const bytes of [
      new TextEncoder().encode('definitely not an image'),
      new Uint8Array(0),
      png.subarray(0, png.length / 2),
      jpeg.subarray(0, jpeg.length / 2),
      palette.subarray(0, palette.length - 20),
    ]) {
      const error = await rejection(decoder.decode(bytes))
      expect([error.status, error.code]).toEqual([422, 'invalid_image'])
    }
    const corrupted = Buffer.from(palette)
    corrupted[40] = (corrupted[40] as number) ^ 0xff
    expect((await rejection(decoder.decode(corrupted))).status).toBe(422)
    const svg = new TextEncoder().encode(
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>',
    )
    const error = await rejection(decoder.decode(svg))
    expect([error.status, error.code]).toEqual([415, 'unsupported_image_type'])
  })
})
