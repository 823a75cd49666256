// The first frame of a GIF, decoded to palette indices the way Pillow opens it: mode P on a canvas
// the size of the logical screen (grown to fit the frame), unused area set to the transparent
// index or 0, and mode L when the colour table is the identity grey ramp. sharp would hand back
// RGBA, but Pillow resizes palette images by nearest neighbour on the indices.
import { EdgeclipError } from '../errors'
import type { DecodedImage } from '../ports'

const maxCodeBits = 12
const maxCodes = 1 << maxCodeBits

function invalidGif(reason: string): EdgeclipError {
  return new EdgeclipError(`invalid GIF image: ${reason}`, { status: 422, code: 'invalid_image' })
}

/** Sequential reads that turn running off the end into a 422. */
class Cursor {
  offset = 0
  constructor(private readonly bytes: Uint8Array) {}
  u8(): number {
    const value = this.bytes[this.offset]
    if (value === undefined) throw invalidGif('file is truncated')
    this.offset++
    return value
  }
  u16(): number {
    return this.u8() | (this.u8() << 8)
  }
  take(length: number): Uint8Array {
    if (this.offset + length > this.bytes.length) throw invalidGif('file is truncated')
    const slice = this.bytes.subarray(this.offset, this.offset + length)
    this.offset += length
    return slice
  }
  /** Concatenated data sub-blocks up to the zero-length terminator. */
  subBlocks(): Uint8Array {
    const parts: Uint8Array[] = []
    for (let size = this.u8(); size > 0; size = this.u8()) parts.push(this.take(size))
    const joined = new Uint8Array(parts.reduce((total, part) => total + part.length, 0))
    let position = 0
    for (const part of parts) {
      joined.set(part, position)
      position += part.length
    }
    return joined
  }
}

/** Pillow drops a colour table that is just index i -> (i, i, i) and opens the frame as L. */
function isGreyRamp(table: Uint8Array): boolean {
  for (let entry = 0; entry * 3 < table.length; entry++) {
    if (table[entry * 3] !== entry || table[entry * 3 + 1] !== entry || table[entry * 3 + 2] !== entry)
      return false
  }
  return true
}

/** Variable-width LZW, codes packed least significant bit first; fills `output` and stops. */
function decompress(data: Uint8Array, minimumCodeSize: number, output: Uint8Array): void {
  if (minimumCodeSize < 1 || minimumCodeSize > 11) throw invalidGif(`bad LZW code size ${minimumCodeSize}`)
  const clearCode = 1 << minimumCodeSize
  const endCode = clearCode + 1
  const prefix = new Int16Array(maxCodes)
  const suffix = new Uint8Array(maxCodes)
  const firstByte = new Uint8Array(maxCodes)
  const lengths = new Uint16Array(maxCodes)
  for (let code = 0; code < clearCode; code++) {
    suffix[code] = code
    firstByte[code] = code
    lengths[code] = 1
  }
  let codeSize = minimumCodeSize + 1
  let nextCode = endCode + 1
  let previous = -1
  let written = 0
  let bitBuffer = 0
  let bitCount = 0
  let position = 0
  while (written < output.length) {
    while (bitCount < codeSize) {
      if (position >= data.length) throw invalidGif('image data is truncated')
      bitBuffer |= (data[position++] as number) << bitCount
      bitCount += 8
    }
    const code = bitBuffer & ((1 << codeSize) - 1)
    bitBuffer >>>= codeSize
    bitCount -= codeSize
    if (code === clearCode) {
      codeSize = minimumCodeSize + 1
      nextCode = endCode + 1
      previous = -1
      continue
    }
    if (code === endCode) break
    let emitted: number
    if (previous === -1) {
      if (code >= clearCode) throw invalidGif('image data starts with an undefined code')
      emitted = code
    } else if (code < nextCode) {
      emitted = code
      if (nextCode < maxCodes) addCode(previous, firstByte[code] as number)
    } else if (code === nextCode && nextCode < maxCodes) {
      addCode(previous, firstByte[previous] as number)
      emitted = code
    } else {
      throw invalidGif('image data holds an undefined code')
    }
    // Write the string back to front straight into the output.
    const length = lengths[emitted] as number
    let cursor = emitted
    for (let index = length - 1; index >= 0; index--) {
      if (written + index < output.length) output[written + index] = suffix[cursor] as number
      cursor = prefix[cursor] as number
    }
    written += length
    previous = code
  }
  if (written < output.length) throw invalidGif('image data ends early')

  function addCode(prefixCode: number, byte: number) {
    prefix[nextCode] = prefixCode
    suffix[nextCode] = byte
    firstByte[nextCode] = firstByte[prefixCode] as number
    lengths[nextCode] = (lengths[prefixCode] as number) + 1
    nextCode++
    if (nextCode === 1 << codeSize && codeSize < maxCodeBits) codeSize++
  }
}

/** Row order of an interlaced frame: every 8th from 0, every 8th from 4, every 4th from 2, odd rows. */
function interlacedRows(height: number): number[] {
  const rows: number[] = []
  for (const [start, step] of [
    [0, 8],
    [4, 8],
    [2, 4],
    [1, 2],
  ] as const) {
    for (let row = start; row < height; row += step) rows.push(row)
  }
  return rows
}

/** Decodes the first frame; `maxPixels` also bounds a frame that reaches past the logical screen. */
export function decodeGifFirstFrame(bytes: Uint8Array, maxPixels: number): DecodedImage {
  const cursor = new Cursor(bytes)
  const signature = String.fromCharCode(...cursor.take(6))
  if (signature !== 'GIF87a' && signature !== 'GIF89a') throw invalidGif('bad signature')
  let width = cursor.u16()
  let height = cursor.u16()
  const screenFlags = cursor.u8()
  cursor.take(2)
  const globalTable = screenFlags & 0x80 ? cursor.take(3 << ((screenFlags & 7) + 1)) : undefined
  let transparentIndex: number | undefined
  for (;;) {
    const introducer = cursor.u8()
    if (introducer === 0x3b) throw invalidGif('no image in the file')
    if (introducer === 0x21) {
      const label = cursor.u8()
      const block = cursor.subBlocks()
      if (label === 0xf9 && block.length >= 4 && ((block[0] as number) & 1) === 1) transparentIndex = block[3]
      continue
    }
    if (introducer !== 0x2c) continue
    const left = cursor.u16()
    const top = cursor.u16()
    const frameWidth = cursor.u16()
    const frameHeight = cursor.u16()
    const frameFlags = cursor.u8()
    const localTable = frameFlags & 0x80 ? cursor.take(3 << ((frameFlags & 7) + 1)) : undefined
    width = Math.max(width, left + frameWidth)
    height = Math.max(height, top + frameHeight)
    if (width * height > maxPixels) {
      throw new EdgeclipError(`GIF frame needs ${width}x${height} pixels; the limit is ${maxPixels}`, {
        status: 413,
        code: 'image_too_large',
      })
    }
    if (width === 0 || height === 0) throw invalidGif('zero width or height')
    const minimumCodeSize = cursor.u8()
    const frame = new Uint8Array(frameWidth * frameHeight)
    decompress(cursor.subBlocks(), minimumCodeSize, frame)
    const canvas = new Uint8Array(width * height).fill(transparentIndex ?? 0)
    const rowOrder = frameFlags & 0x40 ? interlacedRows(frameHeight) : undefined
    for (let row = 0; row < frameHeight; row++) {
      const target = (top + (rowOrder ? (rowOrder[row] as number) : row)) * width + left
      canvas.set(frame.subarray(row * frameWidth, (row + 1) * frameWidth), target)
    }
    const table = localTable ?? globalTable
    if (!table || isGreyRamp(table)) return { width, height, mode: 'L', data: canvas }
    return { width, height, mode: 'P', data: canvas, ...withTransparency(table, transparentIndex) }
  }
}

function withTransparency(table: Uint8Array, transparentIndex: number | undefined) {
  if (transparentIndex === undefined) return { palette: new Uint8Array(table), paletteChannels: 3 as const }
  const entries = table.length / 3
  const palette = new Uint8Array(entries * 4)
  for (let entry = 0; entry < entries; entry++) {
    palette.set(table.subarray(entry * 3, entry * 3 + 3), entry * 4)
    palette[entry * 4 + 3] = entry === transparentIndex ? 0 : 255
  }
  return { palette, paletteChannels: 4 as const }
}
