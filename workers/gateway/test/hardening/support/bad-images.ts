// Hostile image bytes built in code: no files, no image library, each one aimed at one defence.
import { randomBytes } from 'node:crypto'
import { crc32, deflateSync } from 'node:zlib'

function chunk(type: string, data: Uint8Array): Buffer {
  const header = Buffer.alloc(8)
  header.writeUInt32BE(data.length, 0)
  header.write(type, 4, 'latin1')
  const checksum = Buffer.alloc(4)
  checksum.writeUInt32BE(crc32(Buffer.concat([header.subarray(4), data])) >>> 0, 0)
  return Buffer.concat([header, data, checksum])
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

function png(width: number, height: number, bitDepth: number, colourType: number, idat: Uint8Array) {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr.set([bitDepth, colourType, 0, 0, 0], 8)
  return new Uint8Array(
    Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array())]),
  )
}

/** A valid RGB PNG of random pixels stored without compression: its size is its pixel count. */
export function noisePng(width: number, height: number): Uint8Array {
  const rows = Array.from({ length: height }, () => Buffer.concat([Buffer.from([0]), randomBytes(width * 3)]))
  return png(width, height, 8, 2, deflateSync(Buffer.concat(rows), { level: 0 }))
}

/**
 * A real decompression bomb: a complete, valid 1-bit greyscale PNG of `side`x`side` black pixels.
 * 20000x20000 is 400 M pixels (1.2 GB as RGB) in about 50 KB.
 */
export function pngBomb(side = 20_000): Uint8Array {
  const rowBytes = 1 + Math.ceil(side / 8)
  return png(side, side, 1, 0, deflateSync(Buffer.alloc(rowBytes * side), { level: 9 }))
}

/** A PNG that claims `width`x`height` RGB pixels but carries almost no pixel data. */
export function hugeHeaderPng(width: number, height: number): Uint8Array {
  return png(width, height, 8, 2, deflateSync(Buffer.alloc(64)))
}

/** A baseline JPEG cut off after its headers: the header parses, the decoder fails. */
export function truncatedJpeg(): Uint8Array {
  const soi = [0xff, 0xd8]
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0, 1, 0, 1, 0, 0]
  const dqt = [0xff, 0xdb, 0x00, 0x43, 0x00, ...Array.from({ length: 64 }, () => 1)]
  // SOF0: 8-bit, 16x16, one component.
  const sof0 = [0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x10, 0x00, 0x10, 0x01, 0x01, 0x11, 0x00]
  return new Uint8Array([...soi, ...app0, ...dqt, ...sof0, 0xff, 0xc4, 0x00])
}

export const svgBytes = (): Uint8Array =>
  new TextEncoder().encode(
    '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
  )

export const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64')
