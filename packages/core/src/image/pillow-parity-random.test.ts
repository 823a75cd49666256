// Seeded random sizes, aspect ratios and modes against Pillow itself: the hand-picked cases in
// index.test.ts cannot cover every remainder of the fixed-point tables and crop offsets, and
// every speed-up of the resize must keep all of them byte-exact. One interpreter run for all.
import { beforeAll, describe, expect, it } from 'vitest'
import { maxAbsDiff, pillowTensors, pillowUnavailableReason } from '../../test/goldens/pillow-golden'
import { syntheticImage } from '../../test/goldens/synthetic-image'
import { jinaClipV1 } from '../model-spec'
import type { DecodedImage, PixelMode } from '../ports'
import { preprocessImage, resizedSize } from '.'
import { setWasmResampleEnabled, wasmResample } from './pillow-resample-wasm'

const spec = jinaClipV1.image
const seed = 12
// Pillow resizes the whole image before cropping; elongated cases stay below this many pixels
// after the resize so the one Python run stays a few seconds on a loaded CI box.
const maxResizedPixels = 3_000_000

function random(state: { value: number }): number {
  state.value = (Math.imul(state.value, 1664525) + 1013904223) >>> 0
  return state.value / 2 ** 32
}

interface Shape {
  family: string
  width: number
  height: number
}

/** Sizes drawn per family, so each kind of edge case gets its share of the cases. */
function drawShapes(): Shape[] {
  const state = { value: seed }
  const between = (low: number, high: number) => low + Math.floor(random(state) * (high - low + 1))
  const odd = (low: number, high: number) => between(low, high) | 1
  const families: [string, number, () => [number, number]][] = [
    ['1xN', 20, () => [1, between(1, 300)]],
    ['Nx1', 20, () => [between(1, 300), 1]],
    ['tiny', 25, () => [between(1, 9), between(1, 9)]],
    ['upscale', 30, () => [between(2, 223), between(2, 223)]],
    [
      'one side at the target',
      20,
      () => (random(state) < 0.5 ? [224, between(1, 900)] : [between(1, 900), 224]),
    ],
    ['odd downscale', 35, () => [odd(225, 999), odd(225, 999)]],
    ['photo-like downscale', 35, () => [between(225, 1600), between(225, 1600)]],
    [
      'elongated',
      25,
      () =>
        random(state) < 0.5 ? [between(2, 40), between(300, 2000)] : [between(300, 2000), between(2, 40)],
    ],
  ]
  const shapes: Shape[] = []
  for (const [family, count, draw] of families) {
    while (shapes.filter((shape) => shape.family === family).length < count) {
      const [width, height] = draw()
      const resized = resizedSize(width, height, spec.size)
      if (resized.width * resized.height <= maxResizedPixels) shapes.push({ family, width, height })
    }
  }
  return shapes
}

// RGB most often (JPEG photos), then every other mode the decoder hands over.
const modes: PixelMode[] = ['RGB', 'RGB', 'RGB', 'L', 'RGBA', 'LA', 'P', 'CMYK']
const cases = drawShapes().map((shape, index) => {
  const mode = modes[index % modes.length] as PixelMode
  const image = syntheticImage(shape.width, shape.height, mode, seed * 1000 + index)
  return { name: `${shape.family} ${shape.width}x${shape.height} ${mode}`, image }
})

const unavailable = pillowUnavailableReason()
// CI installs Pillow: a missing one there is a broken setup, not a reason to skip.
const pillowRequired = process.env.CI === 'true'
if (unavailable && !pillowRequired) console.warn(`skipping random Pillow parity: ${unavailable}`)

describe.skipIf(unavailable !== undefined && !pillowRequired)(
  'preprocessImage against Pillow, random shapes',
  () => {
    let expected: Float32Array[] = []
    beforeAll(() => {
      if (unavailable) throw new Error(`CI=true and the Pillow reference is unavailable: ${unavailable}`)
      expected = pillowTensors(
        cases.map(({ image }) => ({ image })),
        spec,
      )
    })

    it(`draws at least 200 cases over every family and mode (seed ${seed})`, () => {
      expect(cases.length).toBeGreaterThanOrEqual(200)
      expect(new Set(cases.map(({ image }) => image.mode)).size).toBe(6)
    })

    // The WebAssembly SIMD passes run wherever they can; the JS passes are the fallback elsewhere.
    it.each([
      ['WebAssembly SIMD', true],
      ['JS', false],
    ])('matches Pillow exactly on every case (%s passes)', (_name, useWasm) => {
      expect(wasmResample()).toBeDefined()
      setWasmResampleEnabled(useWasm)
      try {
        const mismatches: string[] = []
        for (const [index, { name, image }] of cases.entries()) {
          const difference = maxAbsDiff(
            preprocessImage(image as DecodedImage, spec),
            expected[index] as Float32Array,
          )
          if (difference !== 0) mismatches.push(`${name}: max abs diff ${difference}`)
        }
        expect(mismatches).toEqual([])
      } finally {
        setWasmResampleEnabled(true)
      }
    })
  },
)
