import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { EdgeclipError } from '../errors'
import { checkImageHeader, decodableImageFormats } from '.'

function refusal(bytes: Uint8Array, maxPixels = 1_000_000, formats = decodableImageFormats): EdgeclipError {
  try {
    checkImageHeader(bytes, { maxPixels, formats })
  } catch (error) {
    if (error instanceof EdgeclipError) return error
    throw error
  }
  throw new Error('expected the image to be refused')
}

describe('checkImageHeader', () => {
  const pixels = Buffer.alloc(30 * 20 * 3, 0x40)
  const encoded = (format: 'png' | 'tiff') =>
    sharp(pixels, { raw: { width: 30, height: 20, channels: 3 } })
      .toFormat(format)
      .toBuffer()

  it('returns the header of an accepted image within the pixel limit', async () => {
    const header = checkImageHeader(await encoded('png'), { maxPixels: 600 })
    expect(header).toMatchObject({ format: 'png', mimeType: 'image/png', width: 30, height: 20 })
  })

  it('answers 422 unsupported_image for bytes with no image header, empty ones included', () => {
    for (const bytes of [new TextEncoder().encode('<html>not an image</html>'), new Uint8Array(0)]) {
      const error = refusal(bytes)
      expect([error.status, error.code]).toEqual([422, 'unsupported_image'])
      expect(error.message).toContain('JPEG, PNG, GIF, WebP or AVIF')
    }
  })

  it('answers 415 unsupported_image_type for a known type the decoders do not read', async () => {
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>')
    for (const [bytes, mime] of [
      [svg, 'image/svg+xml'],
      [await encoded('tiff'), 'image/tiff'],
    ] as const) {
      const error = refusal(bytes)
      expect([error.status, error.code]).toEqual([415, 'unsupported_image_type'])
      expect(error.message).toContain(mime)
    }
    // A caller may accept fewer formats than the decoders read.
    const pngOnly = refusal(await encoded('png'), 1_000_000, new Set(['jpeg']))
    expect([pngOnly.status, pngOnly.message]).toEqual([415, 'image/png images are not supported; send JPEG.'])
  })

  it('answers 413 image_too_large one pixel past the limit, from the header alone', async () => {
    const png = await encoded('png')
    expect(() => checkImageHeader(png, { maxPixels: 600 })).not.toThrow()
    const error = refusal(png, 599)
    expect([error.status, error.code]).toEqual([413, 'image_too_large'])
    expect(error.message).toContain('30x20')
  })
})
