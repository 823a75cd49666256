// Pillow's nearest-neighbour resize (libImaging/Geometry.c, ImagingScaleAffine), which Pillow
// forces for palette images. Source positions accumulate in doubles exactly as the C does, so
// rounding drift along a row matches too.
import type { OutputWindow, PixelBuffer } from './pillow-resample'

/** Source index per output index: start at half a step, add the step each time, truncate. */
function nearestIndices(inSize: number, outSize: number): Int32Array {
  const step = inSize / outSize
  const indices = new Int32Array(outSize)
  let position = step * 0.5
  for (let index = 0; index < outSize; index++) {
    const sourceIndex = position < 0 ? -1 : Math.trunc(position)
    indices[index] = Math.min(Math.max(sourceIndex, 0), inSize - 1)
    position += step
  }
  return indices
}

/** Resizes to outWidth x outHeight by nearest neighbour and returns the pixels inside `window`. */
export function resampleNearest(
  source: PixelBuffer,
  outWidth: number,
  outHeight: number,
  window: OutputWindow,
): PixelBuffer {
  const { channels, data } = source
  const columns = nearestIndices(source.width, outWidth)
  const rows = nearestIndices(source.height, outHeight)
  const width = window.columnEnd - window.columnStart
  const height = window.rowEnd - window.rowStart
  const output = new Uint8Array(width * height * channels)
  let outIndex = 0
  for (let row = window.rowStart; row < window.rowEnd; row++) {
    const rowBase = (rows[row] as number) * source.width
    for (let column = window.columnStart; column < window.columnEnd; column++) {
      const sourceBase = (rowBase + (columns[column] as number)) * channels
      for (let channel = 0; channel < channels; channel++) {
        output[outIndex++] = data[sourceBase + channel] as number
      }
    }
  }
  return { width, height, channels, data: output }
}
