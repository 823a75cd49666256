// Test inputs built byte by byte: PNG layouts encoders rarely write, and seeded pixel data.
import { crc32, deflateSync } from 'node:zlib'

/** A minimal PNG from raw (already filtered) scanlines, for layouts encoders rarely write. */
export function craftPng(
  width: number,
  height: number,
  bitDepth: number,
  colorType: number,
  scanlines: Uint8Array,
  chunks: Record<string, Uint8Array> = {},
) {
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
    ...Object.entries(chunks).map(([type, data]) => chunk(type, data)),
    chunk('IDAT', deflateSync(scanlines)),
    chunk('IEND', new Uint8Array(0)),
  ])
}

export const noisyRgb = (width: number, height: number) =>
  Buffer.from(
    Uint8Array.from({ length: width * height * 3 }, (_, index) => (index * 37 + (index >> 5)) % 256),
  )

/** Unfiltered scanlines of seeded bytes for a width x height PNG of `bitsPerPixel`. */
export function scanlines(width: number, height: number, bitsPerPixel: number, seed: number): Uint8Array {
  const rowBytes = Math.ceil((width * bitsPerPixel) / 8)
  const bytes = new Uint8Array(height * (rowBytes + 1))
  let state = seed
  for (let index = 0; index < bytes.length; index++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    bytes[index] = index % (rowBytes + 1) === 0 ? 0 : state >>> 24
  }
  return bytes
}
