import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { craftPng, noisyRgb } from '../../test/goldens/crafted-images'
import { type DecodedImage, EdgeclipError, jinaClipV1, preprocessImage } from '..'
import { SharpImageDecoder } from '.'

const decoder = new SharpImageDecoder()

async function rejection(promise: Promise<unknown>): Promise<EdgeclipError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(EdgeclipError)
  return error as EdgeclipError
}

/** Expands a palette image to RGB the way Pillow's convert('RGB') does. */
function paletteToRgb(image: DecodedImage): Uint8Array {
  const rgb = new Uint8Array(image.width * image.height * 3)
  const stride = image.paletteChannels ?? 3
  image.data.forEach((index, pixel) => {
    for (let channel = 0; channel < 3; channel++) {
      rgb[pixel * 3 + channel] = image.palette?.[index * stride + channel] as number
    }
  })
  return rgb
}

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
        expect(Buffer.from(paletteToRgb(image)).equals(expanded)).toBe(true)
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
      ['CMYK JPEG', await rgb().toColourspace('cmyk').jpeg().toBuffer(), 'CMYK'],
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
    // No image header at all: the same 422 unsupported_image the gateway answers for such bytes.
    for (const bytes of [new TextEncoder().encode('definitely not an image'), new Uint8Array(0)]) {
      const error = await rejection(decoder.decode(bytes))
      expect([error.status, error.code]).toEqual([422, 'unsupported_image'])
    }
    const png = await sharp(noisyRgb(64, 64), { raw: { width: 64, height: 64, channels: 3 } })
      .png()
      .toBuffer()
    const jpeg = await sharp(noisyRgb(64, 64), { raw: { width: 64, height: 64, channels: 3 } })
      .jpeg()
      .toBuffer()
    const palette = await sharp(noisyRgb(64, 64), { raw: { width: 64, height: 64, channels: 3 } })
      .png({ palette: true })
      .toBuffer()
    // A header but a body that does not decode: invalid_image.
    for (const bytes of [
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

  it('turns every truncation and corruption into an EdgeclipError, never a crash', async () => {
    const [width, height] = [40, 30]
    const rgb = () => sharp(noisyRgb(width, height), { raw: { width, height, channels: 3 } })
    const files = [
      await rgb().png({ palette: true, progressive: true }).toBuffer(),
      await rgb().gif().toBuffer(),
      await rgb().jpeg().toBuffer(),
      await rgb().webp().toBuffer(),
      await rgb().png().toBuffer(),
    ]
    let state = 7
    const random = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0
      return state
    }
    for (const file of files) {
      const candidates: Uint8Array[] = []
      for (let step = 1; step <= 25; step++)
        candidates.push(file.subarray(0, Math.floor((file.length * step) / 26)))
      for (let trial = 0; trial < 25; trial++) {
        const mutated = Uint8Array.from(file)
        for (let flip = 0; flip < 3; flip++) mutated[random() % mutated.length] = random() & 255
        candidates.push(mutated)
      }
      for (const bytes of candidates) {
        const outcome = await decoder.decode(bytes).then(
          (image) => image,
          (error: unknown) => error,
        )
        // Some corruptions still decode (libjpeg tolerates damaged scans); the rest must be 4xx.
        if (!(outcome instanceof Error)) {
          expect(() => preprocessImage(outcome as DecodedImage, jinaClipV1.image)).not.toThrow()
        } else {
          expect(outcome).toBeInstanceOf(EdgeclipError)
          expect((outcome as EdgeclipError).status).toBeGreaterThanOrEqual(400)
          expect((outcome as EdgeclipError).status).toBeLessThan(500)
        }
      }
    }
  })
})
