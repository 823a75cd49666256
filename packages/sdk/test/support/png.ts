// Small valid RGB PNGs built with node:zlib, so tests need no image library; each seed draws other pixels.
import { crc32, deflateSync } from 'node:zlib'

function chunk(type: string, data: Uint8Array): Buffer {
  const header = Buffer.alloc(8)
  header.writeUInt32BE(data.length, 0)
  header.write(type, 4, 'latin1')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([header.subarray(4), data])) >>> 0, 0)
  return Buffer.concat([header, data, crc])
}

/** A `size`×`size` PNG with a diagonal gradient tinted by `seed`. */
export function gradientPng(seed: number, size = 32): Uint8Array<ArrayBuffer> {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr.set([8, 2, 0, 0, 0], 8)
  const rows: Buffer[] = []
  for (let y = 0; y < size; y++) {
    const row = [0]
    for (let x = 0; x < size; x++)
      row.push((x * 8 + seed * 70) & 0xff, (y * 8 + seed * 30) & 0xff, (seed * 97) & 0xff)
    rows.push(Buffer.from(row))
  }
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(Buffer.concat(rows))),
      chunk('IEND', new Uint8Array()),
    ]),
  )
}
