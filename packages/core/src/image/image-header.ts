// The real type and pixel size of an image from its first bytes, without decoding it. The gateway
// checks content types and pixel limits with it before anything expensive happens.
import { ByteReader } from './byte-reader'
import { readIsoBmffHeader } from './iso-bmff-header'

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'avif' | 'heif' | 'bmp' | 'tiff' | 'svg'

export interface ImageHeader {
  format: ImageFormat
  mimeType: string
  /** Pixels as stored (before any EXIF rotation); 0 when the file does not say (SVG only). */
  width: number
  height: number
}

export const imageMimeTypes: Readonly<Record<ImageFormat, string>> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  heif: 'image/heif',
  bmp: 'image/bmp',
  tiff: 'image/tiff',
  svg: 'image/svg+xml',
}

type Dimensions = { width: number; height: number } | undefined

function positive(width: number | undefined, height: number | undefined): Dimensions {
  if (width === undefined || height === undefined || width < 1 || height < 1) return undefined
  return { width, height }
}

/**
 * JPEG: walk the marker segments to the first start-of-frame (SOF0..SOF15 less DHT/JPG/DAC) and
 * return the offset of its length field, or undefined.
 */
function jpegFrameOffset(reader: ByteReader): number | undefined {
  let offset = 2
  while (offset < reader.length) {
    if (reader.u8(offset) !== 0xff) return undefined
    while (reader.u8(offset) === 0xff) offset++
    const marker = reader.u8(offset)
    if (marker === undefined) return undefined
    offset++
    const standalone = marker === 0x01 || marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7)
    if (standalone) continue
    if (marker === 0xd9 || marker === 0xda) return undefined
    const length = reader.u16(offset)
    if (length === undefined || length < 2) return undefined
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
    if (isFrame) return offset
    offset += length
  }
  return undefined
}

function jpegDimensions(reader: ByteReader): Dimensions {
  const frame = jpegFrameOffset(reader)
  return frame === undefined ? undefined : positive(reader.u16(frame + 5), reader.u16(frame + 3))
}

/** Sample precision and component count of a JPEG's first frame, read from the header alone. */
export function readJpegFrame(bytes: Uint8Array): { precision: number; components: number } | undefined {
  const reader = new ByteReader(bytes)
  const frame = jpegFrameOffset(reader)
  const precision = frame === undefined ? undefined : reader.u8(frame + 2)
  const components = frame === undefined ? undefined : reader.u8(frame + 7)
  return precision === undefined || components === undefined ? undefined : { precision, components }
}

function webpDimensions(reader: ByteReader): Dimensions {
  const chunk = reader.ascii(12, 4)
  if (chunk === 'VP8 ') {
    if (reader.u8(23) !== 0x9d || reader.u8(24) !== 0x01 || reader.u8(25) !== 0x2a) return undefined
    const width = reader.u16(26, true)
    const height = reader.u16(28, true)
    return positive(
      width === undefined ? undefined : width & 0x3fff,
      height === undefined ? undefined : height & 0x3fff,
    )
  }
  if (chunk === 'VP8L') {
    const bits = reader.u32(21, true)
    if (reader.u8(20) !== 0x2f || bits === undefined) return undefined
    return positive((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1)
  }
  if (chunk === 'VP8X') {
    const width = reader.u24le(24)
    const height = reader.u24le(27)
    return positive(
      width === undefined ? undefined : width + 1,
      height === undefined ? undefined : height + 1,
    )
  }
  return undefined
}

function bmpDimensions(reader: ByteReader): Dimensions {
  const headerSize = reader.u32(14, true)
  if (headerSize === 12) return positive(reader.u16(18, true), reader.u16(20, true))
  if (headerSize === undefined || headerSize < 40) return undefined
  const width = reader.u32(18, true)
  const height = reader.u32(22, true)
  // Signed 32-bit; a negative height means rows are stored top-down.
  return positive(
    width === undefined ? undefined : width | 0,
    height === undefined ? undefined : Math.abs(height | 0),
  )
}

function tiffDimensions(reader: ByteReader, littleEndian: boolean): Dimensions {
  const directory = reader.u32(4, littleEndian)
  if (directory === undefined) return undefined
  const entries = reader.u16(directory, littleEndian)
  if (entries === undefined) return undefined
  let width: number | undefined
  let height: number | undefined
  for (let entry = 0; entry < entries; entry++) {
    const base = directory + 2 + entry * 12
    const tag = reader.u16(base, littleEndian)
    const type = reader.u16(base + 2, littleEndian)
    if (tag === undefined || type === undefined) return undefined
    if (tag !== 256 && tag !== 257) continue
    // SHORT (3) sits in the first two bytes of the value field, LONG (4) fills it.
    const value =
      type === 3
        ? reader.u16(base + 8, littleEndian)
        : type === 4
          ? reader.u32(base + 8, littleEndian)
          : undefined
    if (tag === 256) width = value
    else height = value
  }
  return positive(width, height)
}

const svgLength = /^\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$/

function svgAttribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(tag)
  return match ? (match[1] ?? match[2]) : undefined
}

/** SVG: width/height attributes in pixels, else the viewBox size, else 0 x 0. */
function svgHeader(bytes: Uint8Array): ImageHeader | undefined {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 4096))
  // The root element must be <svg>: skip the XML declaration, comments and doctype before it.
  const prolog = /^(?:\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)*/i
  const body = text.replace(/^\uFEFF/, '').replace(prolog, '')
  if (!/^<svg[\s>]/.test(body)) return undefined
  const end = body.indexOf('>')
  if (end < 0) return undefined
  const tag = body.slice(0, end)
  const size = (name: string) => {
    const match = svgLength.exec(svgAttribute(tag, name) ?? '')
    return match ? Math.ceil(Number(match[1])) : undefined
  }
  let width = size('width')
  let height = size('height')
  const viewBox = svgAttribute(tag, 'viewBox')
    ?.trim()
    .split(/[\s,]+/)
    .map(Number)
  if (viewBox?.length === 4 && viewBox.every(Number.isFinite)) {
    width ??= Math.ceil(viewBox[2] as number)
    height ??= Math.ceil(viewBox[3] as number)
  }
  return { format: 'svg', mimeType: imageMimeTypes.svg, width: width ?? 0, height: height ?? 0 }
}

function header(format: ImageFormat, dimensions: Dimensions): ImageHeader | undefined {
  return dimensions && { format, mimeType: imageMimeTypes[format], ...dimensions }
}

/**
 * Identifies an image by its magic bytes and reads its size from the header alone.
 * Returns undefined for unknown or truncated input; never throws.
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader | undefined {
  const reader = new ByteReader(bytes)
  if (reader.u8(0) === 0xff && reader.u8(1) === 0xd8 && reader.u8(2) === 0xff) {
    return header('jpeg', jpegDimensions(reader))
  }
  if (reader.ascii(0, 8) === '\x89PNG\r\n\x1a\n') {
    if (reader.ascii(12, 4) !== 'IHDR') return undefined
    return header('png', positive(reader.u32(16), reader.u32(20)))
  }
  const gifSignature = reader.ascii(0, 6)
  if (gifSignature === 'GIF87a' || gifSignature === 'GIF89a') {
    return header('gif', positive(reader.u16(6, true), reader.u16(8, true)))
  }
  if (reader.ascii(0, 4) === 'RIFF' && reader.ascii(8, 4) === 'WEBP')
    return header('webp', webpDimensions(reader))
  if (reader.ascii(0, 2) === 'BM') return header('bmp', bmpDimensions(reader))
  const tiffOrder = reader.ascii(0, 4)
  if (tiffOrder === 'II*\0') return header('tiff', tiffDimensions(reader, true))
  if (tiffOrder === 'MM\0*') return header('tiff', tiffDimensions(reader, false))
  if (reader.ascii(4, 4) === 'ftyp') {
    const isoBmff = readIsoBmffHeader(reader)
    return isoBmff && header(isoBmff.format, positive(isoBmff.width, isoBmff.height))
  }
  return svgHeader(bytes)
}
