// Pillow's nearest-neighbour resize (libImaging/Geometry.c, ImagingScaleAffine), which Pillow
// forces for palette images. Source positions accumulate in doubles exactly as the C does, so
// rounding drift along a row matches too.
import type { OutputWindow, PixelBuffer } from './pillow-resample'

/**
 * Source index for output indices [start, end): begin at half a step and add the step once per
 * index, truncating. The additions run from 0 because their rounding drift is part of the result.
 */
function nearestIndices(inSize: number, outSize: number, start: number, end: number): Int32Array {
  const step = inSize / outSize
  const indices = new Int32Array(end - start)
  let position = step * 0.5
  for (let index = 0; index < end; index++) {
    if (index >= start) indices[index - start] = Math.min(Math.trunc(position), inSize - 1)
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
  const columns = nearestIndices(source.width, outWidth, window.columnStart, window.columnEnd)
  const rows = nearestIndices(source.height, outHeight, window.rowStart, window.rowEnd)
  const width = window.columnEnd - window.columnStart
  const height = window.rowEnd - window.rowStart
  const output = new Uint8Array(width * height * channels)
  let outIndex = 0
  for (let row = 0; row < height; row++) {
    const rowBase = (rows[row] as number) * source.width
    for (let column = 0; column < width; column++) {
      const sourceBase = (rowBase + (columns[column] as number)) * channels
      for (let channel = 0; channel < channels; channel++) {
        output[outIndex++] = data[sourceBase + channel] as number
      }
    }
  }
  return { width, height, channels, data: output }
}
