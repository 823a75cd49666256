import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import { maxAbsDiff, pillowTensors, pillowUnavailableReason } from '../../test/goldens/pillow-golden'
import { EdgeclipError, jinaClipV1, preprocessImage } from '..'
import { SharpImageDecoder } from '.'

const spec = jinaClipV1.image
const decoder = new SharpImageDecoder()
const pillowMissing = pillowUnavailableReason()
const directory = mkdtempSync(join(tmpdir(), 'edgeclip-gif-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

interface CraftedFrame {
  left: number
  top: number
  width: number
  height: number
  indices: Uint8Array
}

/**
 * A GIF89a with one frame, LZW-coded with literals only (a clear code every 250 codes keeps the
 * code width fixed at 9 bits), so tests can place frames and pick tables freely.
 */
function craftGif(screen: [number, number], table: Uint8Array, frame: CraftedFrame, transparent?: number) {
  const bytes: number[] = [...Buffer.from('GIF89a', 'latin1')]
  const u16 = (value: number) => bytes.push(value & 255, value >> 8)
  u16(screen[0])
  u16(screen[1])
  bytes.push(0x80 | 7, 0, 0, ...table)
  if (transparent !== undefined) bytes.push(0x21, 0xf9, 4, 1, 0, 0, transparent, 0)
  bytes.push(0x2c)
  for (const value of [frame.left, frame.top, frame.width, frame.height]) u16(value)
  bytes.push(0, 8)
  const codes = [256]
  frame.indices.forEach((index, position) => {
    if (position > 0 && position % 250 === 0) codes.push(256)
    codes.push(index)
  })
  codes.push(257)
  const packed: number[] = []
  let buffer = 0
  let count = 0
  for (const code of codes) {
    buffer |= code << count
    count += 9
    while (count >= 8) {
      packed.push(buffer & 255)
      buffer >>>= 8
      count -= 8
    }
  }
  if (count > 0) packed.push(buffer & 255)
  for (let start = 0; start < packed.length; start += 255) {
    const block = packed.slice(start, start + 255)
    bytes.push(block.length, ...block)
  }
  bytes.push(0, 0x3b)
  return Uint8Array.from(bytes)
}

const colourTable = Uint8Array.from({ length: 768 }, (_, index) => (index * 97 + 13) % 256)
const greyRamp = Uint8Array.from({ length: 768 }, (_, index) => Math.floor(index / 3))
const pattern = (width: number, height: number) =>
  Uint8Array.from({ length: width * height }, (_, index) => (index * 7 + (index >> 3)) % 256)

const gifs: Record<string, Uint8Array> = {
  'frame inside the screen, transparent fill': craftGif(
    [40, 30],
    colourTable,
    {
      left: 5,
      top: 3,
      width: 20,
      height: 17,
      indices: pattern(20, 17),
    },
    9,
  ),
  'frame reaching past the screen': craftGif([16, 16], colourTable, {
    left: 4,
    top: 0,
    width: 30,
    height: 12,
    indices: pattern(30, 12),
  }),
  'grey-ramp table (Pillow opens it as L)': craftGif([300, 200], greyRamp, {
    left: 0,
    top: 0,
    width: 300,
    height: 200,
    indices: pattern(300, 200),
  }),
}

describe('SharpImageDecoder on GIF', () => {
  it('reads the first frame of real encoder output as indices, interlaced or not', async () => {
    const [width, height] = [45, 31]
    const rgb = Buffer.from(Uint8Array.from({ length: width * height * 3 }, (_, index) => (index * 31) % 256))
    for (const progressive of [false, true]) {
      const gif = await sharp(rgb, { raw: { width, height, channels: 3 } })
        .gif({ progressive, effort: 1 })
        .toBuffer()
      const image = await decoder.decode(gif)
      expect(image).toMatchObject({ width, height, mode: 'P' })
      const expanded = await sharp(gif).removeAlpha().raw().toBuffer()
      const channels = image.paletteChannels ?? 3
      const ours = Buffer.from(
        Uint8Array.from({ length: width * height * 3 }, (_, index) => {
          const paletteIndex = image.data[Math.floor(index / 3)] as number
          return image.palette?.[paletteIndex * channels + (index % 3)] as number
        }),
      )
      expect(ours.equals(expanded)).toBe(true)
    }
  })

  it('places the frame on the screen canvas and picks the mode as Pillow does', async () => {
    const inside = await decoder.decode(gifs['frame inside the screen, transparent fill'] as Uint8Array)
    expect(inside).toMatchObject({ width: 40, height: 30, mode: 'P', paletteChannels: 4 })
    expect(inside.data[0]).toBe(9)
    expect(inside.data[3 * 40 + 5]).toBe(pattern(20, 17)[0])
    const past = await decoder.decode(gifs['frame reaching past the screen'] as Uint8Array)
    expect([past.width, past.height, past.data[0]]).toEqual([34, 16, 0])
    const grey = await decoder.decode(gifs['grey-ramp table (Pillow opens it as L)'] as Uint8Array)
    expect(grey.mode).toBe('L')
  })

  it.skipIf(pillowMissing !== undefined).each(Object.keys(gifs))(
    '%s: tensor matches Pillow exactly',
    async (name) => {
      const path = join(directory, `${Object.keys(gifs).indexOf(name)}.gif`)
      const bytes = gifs[name] as Uint8Array
      writeFileSync(path, bytes)
      const [expected] = pillowTensors([{ file: path }], spec)
      const difference = maxAbsDiff(
        preprocessImage(await decoder.decode(bytes), spec),
        expected as Float32Array,
      )
      console.info(`max abs diff vs Pillow, GIF ${name}: ${difference}`)
      expect(difference).toBe(0)
    },
  )

  it('answers 422 for truncated GIFs and 413 for frames past the pixel limit', async () => {
    const bytes = gifs['frame reaching past the screen'] as Uint8Array
    for (const length of [13, 30, 800, bytes.length - 3]) {
      const error = await decoder.decode(bytes.subarray(0, length)).catch((reason: unknown) => reason)
      expect(error).toBeInstanceOf(EdgeclipError)
      expect((error as EdgeclipError).status).toBe(422)
    }
    // The screen (16x16) fits the limit; only the frame, 34 wide, does not.
    const small = new SharpImageDecoder({ maxPixels: 300 })
    const error = await small.decode(bytes).catch((reason: unknown) => reason)
    expect((error as EdgeclipError).status).toBe(413)
  })
})
