import { describe, expect, it } from 'vitest'
import { maxAbsDiff, pillowTensors, pillowUnavailableReason } from '../../test/goldens/pillow-golden'
import { syntheticImage } from '../../test/goldens/synthetic-image'
import { EdgeclipError } from '../errors'
import { jinaClipV1 } from '../model-spec'
import type { DecodedImage } from '../ports'
import { centerCropOffsets, preprocessImage, preprocessImageInto, preprocessImages, resizedSize } from '.'

const spec = jinaClipV1.image
const cases: [string, DecodedImage][] = [
  ['10x10 RGB upscale', syntheticImage(10, 10, 'RGB', 1)],
  ['371x370 RGB odd sizes', syntheticImage(371, 370, 'RGB', 2)],
  ['640x480 RGB landscape crop', syntheticImage(640, 480, 'RGB', 3)],
  ['225x301 L half-pixel crop', syntheticImage(225, 301, 'L', 4)],
  ['97x61 RGBA transparent pixels', syntheticImage(97, 61, 'RGBA', 5)],
  ['50x80 LA', syntheticImage(50, 80, 'LA', 6)],
  ['301x257 CMYK, resized before the conversion', syntheticImage(301, 257, 'CMYK', 18)],
  ['13x9 P palette', syntheticImage(13, 9, 'P', 7)],
  ['500x301 P palette downscale', syntheticImage(500, 301, 'P', 8)],
  ['224x224 RGBA no resize', syntheticImage(224, 224, 'RGBA', 9)],
  ['224x400 RGB no resize, crop only', syntheticImage(224, 400, 'RGB', 10)],
  ['1024x777 RGB strong downscale', syntheticImage(1024, 777, 'RGB', 11)],
  ['3x900 RGB elongated, crop far from the origin', syntheticImage(3, 900, 'RGB', 16)],
  ['700x2 P elongated, nearest drift far along the row', syntheticImage(700, 2, 'P', 17)],
]

const unavailable = pillowUnavailableReason()
if (unavailable) console.warn(`skipping Pillow comparisons: ${unavailable}`)

describe.skipIf(unavailable !== undefined)('preprocessImage against Pillow', () => {
  const expected = unavailable
    ? []
    : pillowTensors(
        cases.map(([, image]) => ({ image })),
        spec,
      )
  it.each(cases.map(([name, image], index) => [name, image, index] as const))(
    '%s matches Pillow exactly',
    (name, image, index) => {
      const difference = maxAbsDiff(preprocessImage(image, spec), expected[index] as Float32Array)
      console.info(`max abs diff vs Pillow, ${name}: ${difference}`)
      expect(difference).toBe(0)
    },
  )

  it('maps indices past the end of a short palette to grey, as Pillow does', () => {
    const image = syntheticImage(12, 8, 'P', 15)
    const shortPalette = { ...image, palette: new Uint8Array([10, 20, 30, 40, 50, 60]) }
    const [reference] = pillowTensors([{ image: shortPalette }], spec)
    expect(maxAbsDiff(preprocessImage(shortPalette, spec), reference as Float32Array)).toBe(0)
  })

  it('matches Pillow for an RGBA palette', () => {
    const image = syntheticImage(31, 17, 'P', 12)
    const palette = new Uint8Array(7 * 4).map((_, index) => (index * 37) % 256)
    const withAlphaPalette = { ...image, palette, paletteChannels: 4 as const }
    const [reference] = pillowTensors([{ image: withAlphaPalette }], spec)
    expect(maxAbsDiff(preprocessImage(withAlphaPalette, spec), reference as Float32Array)).toBe(0)
  })
})

describe('preprocessImage', () => {
  it('only normalizes an image that is already size x size', () => {
    const image = syntheticImage(224, 224, 'RGB', 13)
    const tensor = preprocessImage(image, spec)
    const plane = 224 * 224
    for (const pixel of [0, 1, 4097, plane - 1]) {
      for (let channel = 0; channel < 3; channel++) {
        const value = (image.data[pixel * 3 + channel] as number) / 255
        const normalized = (value - (spec.mean[channel] as number)) / (spec.std[channel] as number)
        expect(tensor[channel * plane + pixel]).toBeCloseTo(normalized, 5)
      }
    }
  })

  it('writes into a batch buffer at an offset', () => {
    const image = syntheticImage(40, 30, 'RGB', 14)
    const single = preprocessImage(image, spec)
    const batch = new Float32Array(single.length * 2)
    preprocessImageInto(image, spec, batch, single.length)
    expect(batch.subarray(single.length)).toEqual(single)
    expect(() => preprocessImageInto(image, spec, batch, single.length + 1)).toThrow(RangeError)
  })

  it('stacks a batch in order', () => {
    const images = [syntheticImage(40, 30, 'RGB', 19), syntheticImage(30, 50, 'L', 20)]
    const batch = preprocessImages(images, spec)
    const length = 3 * spec.size * spec.size
    expect(batch.length).toBe(2 * length)
    expect(batch.subarray(length)).toEqual(preprocessImage(images[1] as DecodedImage, spec))
  })

  it('computes sizes and crop offsets as torchvision and Python do', () => {
    expect(resizedSize(371, 370, 224)).toEqual({ width: 224, height: 224 })
    expect(resizedSize(640, 480, 224)).toEqual({ width: 298, height: 224 })
    expect(resizedSize(225, 301, 224)).toEqual({ width: 224, height: 299 })
    expect(centerCropOffsets(298, 224, 224)).toEqual({ left: 37, top: 0 })
    expect(centerCropOffsets(224, 299, 224)).toEqual({ left: 0, top: 38 })
    expect(centerCropOffsets(224, 229, 224)).toEqual({ left: 0, top: 2 })
  })

  it('refuses images so elongated that the resized image would pass the pixel limit (413)', () => {
    const image: DecodedImage = { width: 1, height: 300_000, mode: 'L', data: new Uint8Array(300_000) }
    expect(() => preprocessImage(image, spec)).toThrow(expect.objectContaining({ status: 413 }))
  })

  it('rejects pixels that do not describe an image with a 422', () => {
    const bad: DecodedImage[] = [
      { width: 2, height: 2, mode: 'RGB', data: new Uint8Array(11) },
      { width: 0, height: 2, mode: 'L', data: new Uint8Array(0) },
      { width: 2, height: 2, mode: 'P', data: new Uint8Array(4) },
    ]
    for (const image of bad) {
      expect(() => preprocessImage(image, spec)).toThrow(EdgeclipError)
      try {
        preprocessImage(image, spec)
      } catch (error) {
        expect((error as EdgeclipError).status).toBe(422)
        expect((error as EdgeclipError).code).toBe('invalid_image')
      }
    }
  })
})
