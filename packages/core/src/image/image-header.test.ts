import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { type ImageHeader, readImageHeader } from '.'

const width = 37
const height = 23

/** Real files from real encoders (sharp/libvips), one per format and variant. */
async function encodedSamples(): Promise<Record<string, Uint8Array>> {
  const pixels = Buffer.alloc(width * height * 4, 0x80)
  const image = () => sharp(pixels, { raw: { width, height, channels: 4 } })
  const opaque = () => image().removeAlpha()
  return {
    'jpeg baseline': await opaque().jpeg().toBuffer(),
    'jpeg progressive': await opaque().jpeg({ progressive: true }).toBuffer(),
    png: await image().png().toBuffer(),
    'png palette': await image().png({ palette: true }).toBuffer(),
    gif: await image().gif().toBuffer(),
    'webp lossy (VP8)': await opaque().webp().toBuffer(),
    'webp lossless (VP8L)': await image().webp({ lossless: true }).toBuffer(),
    'webp lossy with alpha (VP8X)': await image().webp({ quality: 50 }).toBuffer(),
    avif: await image().avif({ effort: 0 }).toBuffer(),
    'tiff little-endian': await image().tiff().toBuffer(),
  }
}

/** A 24-bit BMP with a BITMAPINFOHEADER; negative height means top-down rows. */
function bmp(bmpWidth: number, bmpHeight: number): Uint8Array {
  const bytes = new Uint8Array(54)
  const view = new DataView(bytes.buffer)
  bytes.set([0x42, 0x4d])
  view.setUint32(2, 54, true)
  view.setUint32(10, 54, true)
  view.setUint32(14, 40, true)
  view.setInt32(18, bmpWidth, true)
  view.setInt32(22, bmpHeight, true)
  view.setUint16(26, 1, true)
  view.setUint16(28, 24, true)
  return bytes
}

/** A big-endian TIFF holding only the IFD entries that matter (LONG width, SHORT height). */
function bigEndianTiff(tiffWidth: number, tiffHeight: number): Uint8Array {
  const bytes = new Uint8Array(8 + 2 + 2 * 12 + 4)
  const view = new DataView(bytes.buffer)
  bytes.set([0x4d, 0x4d, 0x00, 0x2a])
  view.setUint32(4, 8)
  view.setUint16(8, 2)
  view.setUint16(10, 256)
  view.setUint16(12, 4)
  view.setUint32(14, 1)
  view.setUint32(18, tiffWidth)
  view.setUint16(22, 257)
  view.setUint16(24, 3)
  view.setUint32(26, 1)
  view.setUint16(30, tiffHeight)
  return bytes
}

const text = (value: string) => new TextEncoder().encode(value)

let samples: Record<string, Uint8Array> = {}
beforeAll(async () => {
  samples = await encodedSamples()
})

describe('readImageHeader', () => {
  it.each([
    ['jpeg baseline', 'jpeg', 'image/jpeg'],
    ['jpeg progressive', 'jpeg', 'image/jpeg'],
    ['png', 'png', 'image/png'],
    ['png palette', 'png', 'image/png'],
    ['gif', 'gif', 'image/gif'],
    ['webp lossy (VP8)', 'webp', 'image/webp'],
    ['webp lossless (VP8L)', 'webp', 'image/webp'],
    ['webp lossy with alpha (VP8X)', 'webp', 'image/webp'],
    ['avif', 'avif', 'image/avif'],
    ['tiff little-endian', 'tiff', 'image/tiff'],
  ])('reads %s', (name, format, mimeType) => {
    const bytes = samples[name] as Uint8Array
    expect(readImageHeader(bytes)).toEqual({ format, mimeType, width, height })
  })

  it('reads BMP, big-endian TIFF and SVG headers', () => {
    expect(readImageHeader(bmp(640, -480))).toEqual({
      format: 'bmp',
      mimeType: 'image/bmp',
      width: 640,
      height: 480,
    })
    expect(readImageHeader(bigEndianTiff(70000, 300))).toMatchObject({
      format: 'tiff',
      width: 70000,
      height: 300,
    })
    const svg = '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="120px" height="80">'
    expect(readImageHeader(text(svg))).toEqual({
      format: 'svg',
      mimeType: 'image/svg+xml',
      width: 120,
      height: 80,
    })
    expect(readImageHeader(text('<svg viewBox="0 0 300.5 150"></svg>'))).toMatchObject({
      width: 301,
      height: 150,
    })
    expect(readImageHeader(text('<svg width="100%"></svg>'))).toMatchObject({
      format: 'svg',
      width: 0,
      height: 0,
    })
    const withProlog =
      '\uFEFF<!-- logo --><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x"><svg width="5" height="6"/>'
    expect(readImageHeader(text(withProlog))).toMatchObject({ format: 'svg', width: 5, height: 6 })
  })

  it('reads the size the JPEG frame declares, past other segments', async () => {
    const large = await sharp({ create: { width: 4000, height: 3, channels: 3, background: '#fff' } })
      .jpeg()
      .withMetadata({ exif: { IFD0: { Copyright: 'edgeclip' } } })
      .toBuffer()
    expect(readImageHeader(large)).toMatchObject({ format: 'jpeg', width: 4000, height: 3 })
  })

  const imagesDirectory = resolve(import.meta.dirname, '../../../../../shared/data/images')
  if (!existsSync(imagesDirectory))
    console.warn(`skipping shared-image header checks: ${imagesDirectory} is absent`)
  it.skipIf(!existsSync(imagesDirectory))('agrees with libvips on the shared test images', async () => {
    const files = readdirSync(imagesDirectory).filter((name) => /\.(png|jpe?g)$/.test(name))
    expect(files.length).toBeGreaterThan(0)
    for (const name of files) {
      const bytes = readFileSync(join(imagesDirectory, name))
      const metadata = await sharp(bytes).metadata()
      expect(readImageHeader(bytes)).toMatchObject({
        format: metadata.format,
        width: metadata.width,
        height: metadata.height,
      })
    }
  })

  it('returns undefined for bytes that are not an image', () => {
    for (const bytes of [
      new Uint8Array(0),
      text('hello world'),
      text('{"json": true}'),
      text('<html><body>no</body></html>'),
      text('<!DOCTYPE html><html><body><svg width="10" height="10"></svg></body></html>'),
      new Uint8Array([0xff, 0xd8, 0xff, 0xd9]),
      new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
    ]) {
      expect(readImageHeader(bytes)).toBeUndefined()
    }
  })

  it('never throws on truncated or corrupted input', () => {
    const inputs = [...Object.values(samples), bmp(5, 5), bigEndianTiff(9, 9)]
    let state = 12345
    const random = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0
      return state
    }
    for (const bytes of inputs) {
      const full = readImageHeader(bytes)
      for (let length = 0; length < Math.min(bytes.length, 1500); length++) {
        const header: ImageHeader | undefined = readImageHeader(bytes.subarray(0, length))
        // A prefix either says nothing or says what the whole file says.
        if (header && header.format !== 'svg') expect(header).toEqual(full)
      }
      for (let trial = 0; trial < 300; trial++) {
        const mutated = bytes.slice(0, Math.min(bytes.length, 600))
        for (let flip = 0; flip < 4; flip++) mutated[random() % mutated.length] = random() & 255
        expect(() => readImageHeader(mutated)).not.toThrow()
      }
    }
  })
})
