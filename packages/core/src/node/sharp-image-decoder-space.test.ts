// The decoder reads JPEG and PNG colour spaces from the header instead of a sharp metadata() pass;
// this checks that answer against libvips' own on every layout the decoder branches on.
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { noisyRgb } from '../../test/goldens/crafted-images'
import { readImageHeader } from '../image'
import { headerSpace } from './sharp-image-decoder'

const [width, height] = [24, 18]
const image = (channels: 1 | 2 | 3 | 4) => {
  const rgb = noisyRgb(width, height)
  const data = Uint8Array.from({ length: width * height * channels }, (_, index) => {
    const pixel = Math.floor(index / channels)
    return rgb[pixel * 3 + ((index % channels) % 3)] as number
  })
  return sharp(data, { raw: { width, height, channels } })
}

describe('headerSpace', () => {
  it('agrees with sharp metadata() for JPEG and PNG layouts', async () => {
    const files: [string, Buffer][] = [
      ['RGB JPEG', await image(3).jpeg().toBuffer()],
      ['progressive JPEG', await image(3).jpeg({ progressive: true }).toBuffer()],
      ['grey JPEG', await image(1).toColourspace('b-w').jpeg().toBuffer()],
      ['CMYK JPEG', await image(3).toColourspace('cmyk').jpeg().toBuffer()],
      ['RGB PNG', await image(3).png().toBuffer()],
      ['RGBA PNG', await image(4).png().toBuffer()],
      ['16-bit RGB PNG', await image(3).toColourspace('rgb16').png().toBuffer()],
      ['grey PNG', await image(1).toColourspace('b-w').png().toBuffer()],
      ['grey + alpha PNG', await image(2).toColourspace('b-w').png().toBuffer()],
      ['16-bit grey PNG', await image(1).toColourspace('grey16').png().toBuffer()],
    ]
    for (const [name, bytes] of files) {
      const format = readImageHeader(bytes)?.format
      expect(format === 'jpeg' || format === 'png', name).toBe(true)
      const ours = headerSpace(bytes, format as 'jpeg' | 'png')
      const { space } = await sharp(bytes).metadata()
      // Non-grey PNGs answer srgb at 16 bits too: the decoder only branches on grey and CMYK.
      expect({ name, space: ours }).toEqual({ name, space: space === 'rgb16' ? 'srgb' : space })
    }
  })

  it('leaves other formats and unusual JPEG frames to libvips', async () => {
    expect(headerSpace(await image(3).webp().toBuffer(), 'webp')).toBeUndefined()
    const jpeg = Buffer.from(await image(3).jpeg().toBuffer())
    const frame = jpeg.findIndex((byte, index) => byte === 0xff && jpeg[index + 1] === 0xc0)
    jpeg[frame + 4] = 12
    expect(headerSpace(jpeg, 'jpeg')).toBeUndefined()
  })
})
