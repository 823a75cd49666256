// The indexed-PNG decoder's unfiltering, filter by filter: encoders mostly write palette images
// unfiltered, so the shared images and sharp's output never reach filters 1-4 on their own.
import { describe, expect, it } from 'vitest'
import { craftPng } from '../../test/goldens/crafted-images'
import { decodeIndexedPng } from './sharp-image-decoder-indexed-png'

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft
  const [a, b, c] = [Math.abs(estimate - left), Math.abs(estimate - up), Math.abs(estimate - upLeft)]
  if (a <= b && a <= c) return left
  return b <= c ? up : upLeft
}

/** PNG-filters 8-bit index rows, row r with filter filters[r % filters.length] (spec section 9). */
function filterRows(indices: Uint8Array, width: number, height: number, filters: number[]): Uint8Array {
  const output = new Uint8Array(height * (width + 1))
  for (let row = 0; row < height; row++) {
    const filter = filters[row % filters.length] as number
    output[row * (width + 1)] = filter
    for (let column = 0; column < width; column++) {
      const at = (r: number, c: number) => (r < 0 || c < 0 ? 0 : (indices[r * width + c] as number))
      const [left, up, upLeft] = [at(row, column - 1), at(row - 1, column), at(row - 1, column - 1)]
      const predicted = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter] as number
      output[row * (width + 1) + 1 + column] = ((indices[row * width + column] as number) - predicted) & 0xff
    }
  }
  return output
}

describe('decodeIndexedPng unfiltering', () => {
  const [width, height] = [37, 23]
  const indices = Uint8Array.from({ length: width * height }, (_, index) => (index * 97 + (index >> 3)) % 200)
  const palette = Uint8Array.from({ length: 200 * 3 }, (_, index) => (index * 29) % 256)

  // Each filter on the first row (no row above) and on later rows, and every pair of neighbours.
  it.each([[[0]], [[1]], [[2]], [[3]], [[4]], [[4, 3, 2, 1, 0]], [[2, 4, 1, 3]]])(
    'recovers the indices with filters %j',
    async (filters) => {
      const png = craftPng(width, height, 8, 3, filterRows(indices, width, height, filters), {
        PLTE: palette,
      })
      const image = await decodeIndexedPng(png)
      expect(image.mode).toBe('P')
      expect(Array.from(image.data)).toEqual(Array.from(indices))
    },
  )
})
