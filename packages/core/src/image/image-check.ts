// The one judgement of image bytes before any decoding, shared by the gateway (inline bytes and
// fetched URLs) and the backend's decoder, so an image fails with the same status and code on
// every path: bytes that are no image 422 unsupported_image, a known type we do not decode 415
// unsupported_image_type, more pixels than allowed 413 image_too_large.
import { EdgeclipError } from '../errors'
import { type ImageFormat, type ImageHeader, readImageHeader } from './image-header'

/** What the decoders read (sharp on Node); SVG, TIFF, BMP and HEIF are refused up front. */
export const decodableImageFormats: ReadonlySet<ImageFormat> = new Set(['jpeg', 'png', 'gif', 'webp', 'avif'])
const formatNames: Partial<Record<ImageFormat, string>> = {
  jpeg: 'JPEG',
  png: 'PNG',
  gif: 'GIF',
  webp: 'WebP',
  avif: 'AVIF',
}

export interface ImageCheckOptions {
  /** Most pixels (width x height) the header may declare. */
  maxPixels: number
  /** Formats accepted; defaults to `decodableImageFormats`. */
  formats?: ReadonlySet<ImageFormat>
}

function describeFormats(formats: ReadonlySet<ImageFormat>): string {
  const names = [...formats].map((format) => formatNames[format] ?? format)
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : (names[0] ?? 'no')
}

/** The header of an acceptable image; throws the 4xx every path answers for anything else. */
export function checkImageHeader(bytes: Uint8Array, options: ImageCheckOptions): ImageHeader {
  const formats = options.formats ?? decodableImageFormats
  const header = readImageHeader(bytes)
  if (!header) {
    throw new EdgeclipError(
      `the bytes are not a supported image (unrecognised or truncated header); send ${describeFormats(formats)}.`,
      { status: 422, code: 'unsupported_image' },
    )
  }
  if (!formats.has(header.format)) {
    throw new EdgeclipError(
      `${header.mimeType} images are not supported; send ${describeFormats(formats)}.`,
      {
        status: 415,
        code: 'unsupported_image_type',
      },
    )
  }
  const pixels = header.width * header.height
  if (pixels > options.maxPixels) {
    throw new EdgeclipError(
      `the image is ${header.width}x${header.height} pixels (${pixels}); at most ${options.maxPixels} pixels are allowed.`,
      { status: 413, code: 'image_too_large' },
    )
  }
  return header
}
