// Palette PNGs (and 1-bit greyscale, which Pillow treats the same way) decoded to their indices.
// sharp expands palettes to RGB, but Pillow resizes palette images by nearest neighbour on the
// indices, so the index plane is what preprocessing needs. Node-only: zlib does the inflating.
import { promisify } from 'node:util'
import { crc32, inflate } from 'node:zlib'
import { EdgeclipError } from '../errors'
import type { DecodedImage } from '../ports'

const inflateAsync = promisify(inflate)

const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const colorTypeGrey = 0
const colorTypePalette = 3
/** Adam7 passes: first column, first row, column step, row step. */
const adam7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const
const blackAndWhite = new Uint8Array([0, 0, 0, 255, 255, 255])

function invalidPng(reason: string): EdgeclipError {
  return new EdgeclipError(`invalid PNG image: ${reason}`, { status: 422, code: 'invalid_image' })
}

interface PngHeader {
  width: number
  height: number
  bitDepth: number
  colorType: number
  interlaced: boolean
}

/** Whether a PNG (by its IHDR) is one this module decodes: palette, or 1-bit greyscale. */
export function isIndexedPng(bytes: Uint8Array): boolean {
  if (bytes.length < 29) return false
  const bitDepth = bytes[24]
  const colorType = bytes[25]
  return colorType === colorTypePalette || (colorType === colorTypeGrey && bitDepth === 1)
}

/** Decodes an indexed PNG to mode P (1-bit greyscale gets a black/white palette). */
export async function decodeIndexedPng(bytes: Uint8Array): Promise<DecodedImage> {
  if (!signature.every((byte, index) => bytes[index] === byte)) throw invalidPng('bad signature')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let header: PngHeader | undefined
  let palette: Uint8Array | undefined
  let transparency: Uint8Array | undefined
  const compressed: Uint8Array[] = []
  let offset = 8
  let ended = false
  while (!ended) {
    if (offset + 12 > bytes.length) throw invalidPng('truncated before IEND')
    const length = view.getUint32(offset)
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8))
    const dataStart = offset + 8
    const dataEnd = dataStart + length
    if (dataEnd + 4 > bytes.length) throw invalidPng(`truncated ${type} chunk`)
    const data = bytes.subarray(dataStart, dataEnd)
    if (crc32(bytes.subarray(offset + 4, dataEnd)) !== view.getUint32(dataEnd)) {
      throw invalidPng(`CRC mismatch in ${type} chunk`)
    }
    if (type === 'IHDR') header = readHeader(data)
    else if (type === 'PLTE') palette = data
    else if (type === 'tRNS') transparency = data
    else if (type === 'IDAT') compressed.push(data)
    else if (type === 'IEND') ended = true
    offset = dataEnd + 4
  }
  if (!header) throw invalidPng('no IHDR chunk')
  if (compressed.length === 0) throw invalidPng('no image data')
  const { width, height, bitDepth, colorType } = header
  if (colorType === colorTypePalette && !palette) throw invalidPng('palette image without PLTE')
  const rows = passLayouts(header)
  const expected = rows.reduce((total, pass) => total + pass.rows * (1 + pass.rowBytes), 0)
  let raw: Uint8Array
  try {
    raw = await inflateAsync(Buffer.concat(compressed), { maxOutputLength: expected + 1 })
  } catch (error) {
    throw new EdgeclipError(`invalid PNG image: corrupt image data (${(error as Error).message})`, {
      status: 422,
      code: 'invalid_image',
      cause: error,
    })
  }
  if (raw.length < expected) throw invalidPng('image data is truncated')
  const indices = new Uint8Array(width * height)
  let position = 0
  for (const pass of rows) {
    const scanlines = unfilter(
      raw.subarray(position, position + pass.rows * (1 + pass.rowBytes)),
      pass.rows,
      pass.rowBytes,
    )
    position += pass.rows * (1 + pass.rowBytes)
    unpackIndices(scanlines, pass, bitDepth, width, indices)
  }
  if (colorType === colorTypeGrey) {
    return { width, height, mode: 'P', data: indices, palette: blackAndWhite, paletteChannels: 3 }
  }
  return { width, height, mode: 'P', data: indices, ...paletteEntries(palette as Uint8Array, transparency) }
}

function readHeader(data: Uint8Array): PngHeader {
  if (data.length !== 13) throw invalidPng('bad IHDR length')
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const width = view.getUint32(0)
  const height = view.getUint32(4)
  const bitDepth = data[8] as number
  const colorType = data[9] as number
  if (width < 1 || height < 1) throw invalidPng('zero width or height')
  const indexed = colorType === colorTypePalette || (colorType === colorTypeGrey && bitDepth === 1)
  if (!indexed || ![1, 2, 4, 8].includes(bitDepth))
    throw invalidPng(`not an indexed PNG (colour type ${colorType})`)
  if (data[12] !== 0 && data[12] !== 1) throw invalidPng('unknown interlace method')
  return { width, height, bitDepth, colorType, interlaced: data[12] === 1 }
}

interface PassLayout {
  firstColumn: number
  firstRow: number
  columnStep: number
  rowStep: number
  columns: number
  rows: number
  rowBytes: number
}

function passLayouts({ width, height, bitDepth, interlaced }: PngHeader): PassLayout[] {
  const passes = interlaced ? adam7 : ([[0, 0, 1, 1]] as const)
  return passes
    .map(([firstColumn, firstRow, columnStep, rowStep]) => {
      const columns = Math.ceil((width - firstColumn) / columnStep)
      const rows = Math.ceil((height - firstRow) / rowStep)
      return {
        firstColumn,
        firstRow,
        columnStep,
        rowStep,
        columns,
        rows,
        rowBytes: Math.ceil((columns * bitDepth) / 8),
      }
    })
    .filter((pass) => pass.columns > 0 && pass.rows > 0)
}

/**
 * Reverses PNG's per-row filters; one byte per pixel at most, so the filter distance is 1. One
 * loop per filter type: the filter is per row, and testing it per byte tripled the decode time.
 */
function unfilter(filtered: Uint8Array, rows: number, rowBytes: number): Uint8Array {
  const output = new Uint8Array(rows * rowBytes)
  for (let row = 0; row < rows; row++) {
    const filter = filtered[row * (rowBytes + 1)] as number
    const input = row * (rowBytes + 1) + 1
    const current = row * rowBytes
    const previous = current - rowBytes
    // The row above is all zeros for the first row: filters 2..4 then read only `left`.
    const hasUp = row > 0
    if (filter === 0 || (filter === 2 && !hasUp)) {
      output.set(filtered.subarray(input, input + rowBytes), current)
    } else if (filter === 1 || (filter === 4 && !hasUp)) {
      let left = 0
      for (let column = 0; column < rowBytes; column++) {
        left = ((filtered[input + column] as number) + left) & 0xff
        output[current + column] = left
      }
    } else if (filter === 2) {
      for (let column = 0; column < rowBytes; column++) {
        output[current + column] =
          ((filtered[input + column] as number) + (output[previous + column] as number)) & 0xff
      }
    } else if (filter === 3) {
      let left = 0
      for (let column = 0; column < rowBytes; column++) {
        const up = hasUp ? (output[previous + column] as number) : 0
        left = ((filtered[input + column] as number) + ((left + up) >> 1)) & 0xff
        output[current + column] = left
      }
    } else if (filter === 4) {
      let left = 0
      let upLeft = 0
      for (let column = 0; column < rowBytes; column++) {
        const up = output[previous + column] as number
        left = ((filtered[input + column] as number) + paeth(left, up, upLeft)) & 0xff
        output[current + column] = left
        upLeft = up
      }
    } else {
      throw invalidPng(`unknown filter type ${filter}`)
    }
  }
  return output
}

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft
  const distanceLeft = Math.abs(estimate - left)
  const distanceUp = Math.abs(estimate - up)
  const distanceUpLeft = Math.abs(estimate - upLeft)
  if (distanceLeft <= distanceUp && distanceLeft <= distanceUpLeft) return left
  return distanceUp <= distanceUpLeft ? up : upLeft
}

/** Spreads a pass's packed samples (most significant bits first) to their pixel positions. */
function unpackIndices(
  scanlines: Uint8Array,
  pass: PassLayout,
  bitDepth: number,
  width: number,
  indices: Uint8Array,
) {
  const perByte = 8 / bitDepth
  const mask = (1 << bitDepth) - 1
  if (bitDepth === 8 && pass.columnStep === 1 && pass.firstColumn === 0) {
    // One index per byte and no interlacing across columns: whole rows copy as they are.
    for (let row = 0; row < pass.rows; row++) {
      const outRow = (pass.firstRow + row * pass.rowStep) * width
      indices.set(scanlines.subarray(row * pass.rowBytes, row * pass.rowBytes + pass.columns), outRow)
    }
    return
  }
  for (let row = 0; row < pass.rows; row++) {
    const outRow = (pass.firstRow + row * pass.rowStep) * width
    const inRow = row * pass.rowBytes
    for (let column = 0; column < pass.columns; column++) {
      const byte = scanlines[inRow + Math.floor(column / perByte)] as number
      const shift = 8 - bitDepth * ((column % perByte) + 1)
      indices[outRow + pass.firstColumn + column * pass.columnStep] = (byte >> shift) & mask
    }
  }
}

/** RGB palette, or RGBA when tRNS gives entries an alpha (entries it omits are opaque). */
function paletteEntries(
  palette: Uint8Array,
  transparency: Uint8Array | undefined,
): { palette: Uint8Array; paletteChannels: 3 | 4 } {
  if (palette.length % 3 !== 0 || palette.length === 0) throw invalidPng('bad PLTE length')
  if (!transparency) return { palette: new Uint8Array(palette), paletteChannels: 3 }
  const entries = palette.length / 3
  const withAlpha = new Uint8Array(entries * 4)
  for (let entry = 0; entry < entries; entry++) {
    withAlpha.set(palette.subarray(entry * 3, entry * 3 + 3), entry * 4)
    withAlpha[entry * 4 + 3] = transparency[entry] ?? 255
  }
  return { palette: withAlpha, paletteChannels: 4 }
}
