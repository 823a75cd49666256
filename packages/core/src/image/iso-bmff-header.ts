// AVIF and HEIF (ISO base media file format): the brand in `ftyp` names the format, and the
// primary item's `ispe` property in `meta` gives its size. No pixel data is read.
import type { ByteReader } from './byte-reader'

interface Box {
  type: string
  /** First byte of the payload (after size, type and any 64-bit size). */
  start: number
  end: number
}

const avifBrands = new Set(['avif', 'avis'])
const heifBrands = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1'])

/** Child boxes of the byte range [start, end); stops at the first malformed box. */
function boxes(reader: ByteReader, start: number, end: number): Box[] {
  const found: Box[] = []
  let offset = start
  while (offset + 8 <= end) {
    let size = reader.u32(offset)
    const type = reader.ascii(offset + 4, 4)
    let header = 8
    if (size === undefined || type === '') break
    if (size === 1) {
      const high = reader.u32(offset + 8)
      const low = reader.u32(offset + 12)
      if (high === undefined || low === undefined) break
      size = high * 0x1_0000_0000 + low
      header = 16
    } else if (size === 0) {
      size = end - offset
    }
    if (size < header) break
    const boxEnd = Math.min(offset + size, end)
    found.push({ type, start: offset + header, end: boxEnd })
    offset += size
  }
  return found
}

function child(reader: ByteReader, parent: Box, type: string, skip = 0): Box | undefined {
  return boxes(reader, parent.start + skip, parent.end).find((box) => box.type === type)
}

function brandFormat(reader: ByteReader, ftyp: Box): 'avif' | 'heif' | undefined {
  const brands = [reader.ascii(ftyp.start, 4)]
  for (let offset = ftyp.start + 8; offset + 4 <= ftyp.end; offset += 4) brands.push(reader.ascii(offset, 4))
  if (brands.some((brand) => avifBrands.has(brand))) return 'avif'
  if (brands.some((brand) => heifBrands.has(brand))) return 'heif'
  return undefined
}

/** Property indices (1-based into ipco) associated with `itemId` by the ipma box. */
function associatedProperties(reader: ByteReader, ipma: Box, itemId: number): number[] {
  const version = reader.u8(ipma.start)
  const flags = reader.u8(ipma.start + 3)
  const entries = reader.u32(ipma.start + 4)
  if (version === undefined || flags === undefined || entries === undefined) return []
  let offset = ipma.start + 8
  for (let entry = 0; entry < entries && offset < ipma.end; entry++) {
    const id = version < 1 ? reader.u16(offset) : reader.u32(offset)
    offset += version < 1 ? 2 : 4
    const count = reader.u8(offset)
    if (id === undefined || count === undefined) return []
    offset += 1
    const wide = (flags & 1) === 1
    const indices: number[] = []
    for (let association = 0; association < count; association++) {
      const value = wide ? reader.u16(offset) : reader.u8(offset)
      if (value === undefined) return []
      indices.push(wide ? value & 0x7fff : value & 0x7f)
      offset += wide ? 2 : 1
    }
    if (id === itemId) return indices
  }
  return []
}

export interface IsoBmffHeader {
  format: 'avif' | 'heif'
  width: number | undefined
  height: number | undefined
}

/** Format and primary-image size of an AVIF/HEIF file; undefined when it is neither. */
export function readIsoBmffHeader(reader: ByteReader): IsoBmffHeader | undefined {
  const top = boxes(reader, 0, reader.length)
  const ftyp = top[0]?.type === 'ftyp' ? top[0] : undefined
  const format = ftyp && brandFormat(reader, ftyp)
  if (!format) return undefined
  const unknownSize: IsoBmffHeader = { format, width: undefined, height: undefined }
  // meta, pitm, ipma and ispe are "full boxes": a version byte and three flag bytes come first.
  const meta = top.find((box) => box.type === 'meta')
  const iprp = meta && child(reader, meta, 'iprp', 4)
  const ipco = iprp && child(reader, iprp, 'ipco')
  if (!meta || !iprp || !ipco) return unknownSize
  const properties = boxes(reader, ipco.start, ipco.end)
  const sizes = properties.map((box) =>
    box.type === 'ispe' ? { width: reader.u32(box.start + 4), height: reader.u32(box.start + 8) } : undefined,
  )
  const pitm = child(reader, meta, 'pitm', 4)
  const ipma = child(reader, iprp, 'ipma')
  if (pitm && ipma) {
    const primary = reader.u8(pitm.start) === 0 ? reader.u16(pitm.start + 4) : reader.u32(pitm.start + 4)
    const indices = primary === undefined ? [] : associatedProperties(reader, ipma, primary)
    const size = indices.map((index) => sizes[index - 1]).find((entry) => entry !== undefined)
    if (size) return { format, ...size }
  }
  // Without a usable association, the largest declared size is the safe one for pixel limits.
  let largest: { width: number | undefined; height: number | undefined } | undefined
  for (const size of sizes) {
    if (size?.width === undefined || size.height === undefined) continue
    if (!largest || size.width * size.height > (largest.width ?? 0) * (largest.height ?? 0)) largest = size
  }
  return largest ? { format, ...largest } : unknownSize
}
