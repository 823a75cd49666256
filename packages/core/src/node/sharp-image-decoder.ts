// ImageDecoder on Node with sharp (libvips). Pixels come back as the file stores them, in the mode
// Pillow would open them in, so preprocessing matches the reference: no EXIF rotation, no colour
// management, greyscale stays greyscale, palette PNGs and GIFs stay palettes (decoded here).
import sharp, { type SharpOptions } from 'sharp'
import { EdgeclipError } from '../errors'
import { checkImageHeader, defaultMaxImagePixels, type ImageFormat, readJpegFrame } from '../image'
import type { DecodedImage, ImageDecoder, PixelMode } from '../ports'
import { decodeGifFirstFrame } from './sharp-image-decoder-gif'
import { decodeIndexedPng, isIndexedPng } from './sharp-image-decoder-indexed-png'

export interface SharpImageDecoderOptions {
  /** Most pixels an image may declare; larger ones get a 413 before any decoding. */
  maxPixels?: number
}

const modeByChannels: Record<number, PixelMode> = { 1: 'L', 2: 'LA', 3: 'RGB', 4: 'RGBA' }
/** PNG colour types without an alpha channel: a tRNS chunk does not make Pillow add one. */
const pngOpaqueColorTypes = new Set([0, 2])
const pngColorTypeOffset = 25
const pngBitDepthOffset = 24
/** libvips' interpretation for each JPEG component count (libjpeg's out_color_space). */
const jpegSpaceByComponents: Record<number, string> = { 1: 'b-w', 3: 'srgb', 4: 'cmyk' }

/**
 * The colour space sharp's metadata() would report, read from the JPEG or PNG header: a separate
 * metadata() call is a whole libvips pipeline (~0.2 ms of CPU, a fifth of Pillow's decode of a
 * 640x480 JPEG). Undefined for anything else, which then asks libvips.
 */
export function headerSpace(bytes: Uint8Array, format: ImageFormat): string | undefined {
  if (format === 'jpeg') {
    const frame = readJpegFrame(bytes)
    return frame?.precision === 8 ? jpegSpaceByComponents[frame.components] : undefined
  }
  if (format !== 'png') return undefined
  const colourType = bytes[pngColorTypeOffset]
  if (colourType !== 0 && colourType !== 4) return colourType === 2 || colourType === 6 ? 'srgb' : undefined
  return bytes[pngBitDepthOffset] === 16 ? 'grey16' : 'b-w'
}

function invalidImage(message: string, cause?: unknown): EdgeclipError {
  return new EdgeclipError(message, { status: 422, code: 'invalid_image', cause })
}

export class SharpImageDecoder implements ImageDecoder {
  readonly maxPixels: number

  constructor({ maxPixels = defaultMaxImagePixels }: SharpImageDecoderOptions = {}) {
    this.maxPixels = maxPixels
  }

  async decode(bytes: Uint8Array): Promise<DecodedImage> {
    // Not an image 422, a type we do not decode 415, a bomb 413: as the gateway answers.
    const header = checkImageHeader(bytes, { maxPixels: this.maxPixels })
    if (header.format === 'png' && isIndexedPng(bytes)) return decodeIndexedPng(bytes)
    if (header.format === 'gif') return decodeGifFirstFrame(bytes, this.maxPixels)
    return this.decodeWithSharp(bytes, header.format)
  }

  private async decodeWithSharp(bytes: Uint8Array, format: ImageFormat): Promise<DecodedImage> {
    // limitInputPixels re-checks the size libvips finds, in case the header we read lied.
    const options: SharpOptions = { limitInputPixels: this.maxPixels, failOn: 'error', autoOrient: false }
    try {
      const space = headerSpace(bytes, format) ?? (await sharp(bytes, options).metadata()).space
      if (space === 'cmyk') return await this.decodeCmyk(bytes, options)
      // Keeping the ICC profile stops sharp converting to sRGB: Pillow never converts.
      let pipeline = sharp(bytes, options).keepIccProfile()
      if (format === 'png' && pngOpaqueColorTypes.has(bytes[pngColorTypeOffset] ?? -1)) {
        pipeline = pipeline.removeAlpha()
      }
      const grey = space === 'b-w' || space === 'grey16'
      // A greyscale JPEG stays one band: libvips would widen it to sRGB for collapseGrey to undo
      // (a third of its decode time). PNG greys keep that path: their tRNS and 16-bit cases need it.
      if (format === 'jpeg' && space === 'b-w') pipeline = pipeline.toColourspace('b-w')
      const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true })
      const pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      return grey ? collapseGrey(pixels, info.width, info.height, info.channels) : toDecoded(pixels, info)
    } catch (error) {
      if (error instanceof EdgeclipError) throw error
      const message = error instanceof Error ? error.message : String(error)
      if (/pixel limit/i.test(message)) {
        throw new EdgeclipError(`image exceeds the ${this.maxPixels}-pixel limit`, {
          status: 413,
          code: 'image_too_large',
          cause: error,
        })
      }
      throw invalidImage(`could not decode the ${format} image: ${message.trim()}`, error)
    }
  }

  /** CMYK JPEGs as Pillow opens them: ink amounts, no profile applied; preprocessing converts. */
  private async decodeCmyk(bytes: Uint8Array, options: SharpOptions): Promise<DecodedImage> {
    const { data, info } = await sharp(bytes, options)
      .pipelineColourspace('cmyk')
      .toColourspace('cmyk')
      .raw()
      .toBuffer({ resolveWithObject: true })
    if (info.channels !== 4) throw invalidImage(`unexpected ${info.channels}-channel CMYK image`)
    const pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    return { width: info.width, height: info.height, mode: 'CMYK', data: pixels }
  }
}

function toDecoded(
  data: Uint8Array,
  info: { width: number; height: number; channels: number },
): DecodedImage {
  const mode = modeByChannels[info.channels]
  if (!mode) throw invalidImage(`unsupported channel count ${info.channels}`)
  return { width: info.width, height: info.height, mode, data }
}

/** libvips hands greyscale back as RGB(A) with equal channels; keep one grey channel (and alpha). */
function collapseGrey(data: Uint8Array, width: number, height: number, channels: number): DecodedImage {
  if (channels <= 2) return toDecoded(data, { width, height, channels })
  const hasAlpha = channels === 4
  const outChannels = hasAlpha ? 2 : 1
  const output = new Uint8Array(width * height * outChannels)
  for (let pixel = 0; pixel < width * height; pixel++) {
    output[pixel * outChannels] = data[pixel * channels] as number
    if (hasAlpha) output[pixel * outChannels + 1] = data[pixel * channels + 3] as number
  }
  return { width, height, mode: hasAlpha ? 'LA' : 'L', data: output }
}
