// Pillow's convolution resize (libImaging/Resample.c), ported to the bit: separable passes,
// horizontal first, antialiased on downscale, 8-bit samples with 22-bit fixed-point weights.
// Exact agreement with Pillow is the point, so the arithmetic mirrors the C, casts included.
import {
  clip8,
  fixedOne,
  horizontalAny,
  horizontalRgb,
  horizontalRgba,
  roundingBias,
} from './pillow-resample-kernels'
import { type WasmResample, wasmResample } from './pillow-resample-wasm'
import { premultiplyAlpha } from './premultiplied-alpha'

/** Keys' cubic convolution kernel with a = -0.5, as Pillow's BICUBIC. */
const bicubicSupport = 2
function bicubic(distance: number): number {
  const a = -0.5
  const x = distance < 0 ? -distance : distance
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a
  return 0
}

/**
 * Weights of one pass for output indices [start, end): entry i (output index start + i) reads
 * `count[i]` inputs from `first[i]`, weighted by weights[i*stride ...].
 */
export interface ResampleCoefficients {
  first: Int32Array
  count: Int32Array
  weights: Int32Array
  stride: number
}

// Photos come in a few sizes (camera and screen formats), so each worker keeps the last tables it
// built; the key is everything a table depends on.
const cachedCoefficients = new Map<string, ResampleCoefficients>()
const coefficientCacheSize = 32

/** `computeBicubicCoefficients`, remembered for the most recent size pairs (tables are read-only). */
export function bicubicCoefficients(
  inSize: number,
  outSize: number,
  start = 0,
  end = outSize,
): ResampleCoefficients {
  const key = `${inSize} ${outSize} ${start} ${end}`
  const cached = cachedCoefficients.get(key)
  if (cached) return cached
  const computed = computeBicubicCoefficients(inSize, outSize, start, end)
  if (cachedCoefficients.size >= coefficientCacheSize) {
    const oldest = cachedCoefficients.keys().next().value as string
    cachedCoefficients.delete(oldest)
  }
  cachedCoefficients.set(key, computed)
  return computed
}

/**
 * Pillow's precompute_coeffs followed by normalize_coeffs_8bpc (full-extent box), for the output
 * indices [start, end) only: a weight depends on its own index alone.
 */
export function computeBicubicCoefficients(
  inSize: number,
  outSize: number,
  start = 0,
  end = outSize,
): ResampleCoefficients {
  const scale = inSize / outSize
  const filterScale = Math.max(scale, 1)
  const support = bicubicSupport * filterScale
  // Rounded up to whole groups of four (zero weights) for the SIMD kernels' four taps at a time.
  const stride = (Math.ceil(support) * 2 + 1 + 3) & ~3
  const first = new Int32Array(end - start)
  const count = new Int32Array(end - start)
  const weights = new Int32Array((end - start) * stride)
  const raw = new Float64Array(stride)
  const inverseFilterScale = 1 / filterScale
  for (let index = start; index < end; index++) {
    const entry = index - start
    const center = (index + 0.5) * scale
    // C's (int) cast truncates toward zero; the clamp to 0 follows it.
    const low = Math.max(0, Math.trunc(center - support + 0.5))
    const high = Math.min(inSize, Math.trunc(center + support + 0.5))
    const taps = high - low
    let total = 0
    for (let tap = 0; tap < taps; tap++) {
      const weight = bicubic((tap + low - center + 0.5) * inverseFilterScale)
      raw[tap] = weight
      total += weight
    }
    for (let tap = 0; tap < taps; tap++) {
      const normalized = total === 0 ? (raw[tap] as number) : (raw[tap] as number) / total
      weights[entry * stride + tap] = Math.trunc(
        normalized < 0 ? -0.5 + normalized * fixedOne : 0.5 + normalized * fixedOne,
      )
    }
    first[entry] = low
    count[entry] = taps
  }
  return { first, count, weights, stride }
}

/** An interleaved 8-bit image: `channels` samples per pixel, rows packed. */
export interface PixelBuffer {
  width: number
  height: number
  channels: number
  data: Uint8Array
}

/** Output columns [columnStart, columnEnd) and rows [rowStart, rowEnd) of the resized image. */
export interface OutputWindow {
  columnStart: number
  columnEnd: number
  rowStart: number
  rowEnd: number
}

/**
 * Resizes `source` to outWidth x outHeight with Pillow's bicubic filter and returns only the
 * pixels inside `window` (each output pixel depends on the source alone, so computing a window
 * gives the same bytes as resizing everything and cropping).
 */
export function resampleBicubic(
  source: PixelBuffer,
  outWidth: number,
  outHeight: number,
  window: OutputWindow,
  premultiply = false,
): PixelBuffer {
  const { channels } = source
  const needHorizontal = outWidth !== source.width
  const needVertical = outHeight !== source.height
  const windowWidth = window.columnEnd - window.columnStart
  const windowHeight = window.rowEnd - window.rowStart

  // Rows of the source the vertical pass reads (all rows when there is no vertical pass).
  const vertical = needVertical
    ? bicubicCoefficients(source.height, outHeight, window.rowStart, window.rowEnd)
    : undefined
  let sourceRowStart = window.rowStart
  let sourceRowEnd = window.rowEnd
  if (vertical) {
    sourceRowStart = source.height
    sourceRowEnd = 0
    for (let entry = 0; entry < windowHeight; entry++) {
      const low = vertical.first[entry] as number
      sourceRowStart = Math.min(sourceRowStart, low)
      sourceRowEnd = Math.max(sourceRowEnd, low + (vertical.count[entry] as number))
    }
  }

  const simd = wasmResample()
  if (simd && needHorizontal) {
    return resampleWithWasm(
      simd,
      source,
      outWidth,
      window,
      vertical,
      sourceRowStart,
      sourceRowEnd,
      premultiply,
    )
  }

  const input = premultiply ? premultiplyAlpha(source) : source
  const stage = needHorizontal
    ? horizontalPass(input, outWidth, window.columnStart, window.columnEnd, sourceRowStart, sourceRowEnd)
    : cropRows(input, window.columnStart, window.columnEnd, sourceRowStart, sourceRowEnd)
  if (!vertical) return stage

  const output = simd
    ? simd.vertical(simd.copyIn(stage.data), windowWidth * channels, sourceRowStart, vertical)
    : verticalPass(stage.data, windowWidth * channels, windowHeight, sourceRowStart, vertical)
  return { width: windowWidth, height: windowHeight, channels, data: output }
}

/** The same two passes through the WebAssembly SIMD kernels (same bytes, several times faster). */
function resampleWithWasm(
  simd: WasmResample,
  source: PixelBuffer,
  outWidth: number,
  window: OutputWindow,
  vertical: ResampleCoefficients | undefined,
  sourceRowStart: number,
  sourceRowEnd: number,
  premultiply: boolean,
): PixelBuffer {
  const { channels } = source
  const width = window.columnEnd - window.columnStart
  const stageRows = sourceRowEnd - sourceRowStart
  const stage = simd.horizontal(
    source.data,
    source.width * channels,
    sourceRowStart,
    sourceRowEnd,
    channels,
    bicubicCoefficients(source.width, outWidth, window.columnStart, window.columnEnd),
    premultiply,
  )
  if (!vertical) {
    return { width, height: stageRows, channels, data: simd.read(stage, stageRows * width * channels) }
  }
  const data = simd.vertical(stage, width * channels, sourceRowStart, vertical)
  return { width, height: window.rowEnd - window.rowStart, channels, data }
}

/**
 * The vertical pass, one output row at a time: each tap adds a whole input row into an int32
 * accumulator row. Walking rows contiguously is what makes it fast in V8; the sums and the order
 * of the additions per sample are Pillow's, so the bytes are too.
 */
function verticalPass(
  stage: Uint8Array,
  rowLength: number,
  height: number,
  stageRowStart: number,
  { first, count, weights, stride }: ResampleCoefficients,
): Uint8Array {
  const output = new Uint8Array(rowLength * height)
  const accumulator = new Int32Array(rowLength)
  for (let row = 0; row < height; row++) {
    accumulator.fill(roundingBias)
    const taps = count[row] as number
    const weightBase = row * stride
    let inputBase = ((first[row] as number) - stageRowStart) * rowLength
    for (let tap = 0; tap < taps; tap++) {
      const weight = weights[weightBase + tap] as number
      for (let sample = 0; sample < rowLength; sample++) {
        accumulator[sample] =
          (accumulator[sample] as number) + Math.imul(stage[inputBase + sample] as number, weight)
      }
      inputBase += rowLength
    }
    const outBase = row * rowLength
    for (let sample = 0; sample < rowLength; sample++) {
      output[outBase + sample] = clip8(accumulator[sample] as number)
    }
  }
  return output
}

function horizontalPass(
  source: PixelBuffer,
  outWidth: number,
  columnStart: number,
  columnEnd: number,
  rowStart: number,
  rowEnd: number,
): PixelBuffer {
  const { channels, data } = source
  const { first, count, weights, stride } = bicubicCoefficients(
    source.width,
    outWidth,
    columnStart,
    columnEnd,
  )
  const width = columnEnd - columnStart
  const height = rowEnd - rowStart
  const output = new Uint8Array(width * height * channels)
  const sourceRowLength = source.width * channels
  const kernel = channels === 3 ? horizontalRgb : channels === 4 ? horizontalRgba : horizontalAny
  for (let row = 0; row < height; row++) {
    const sourceBase = (row + rowStart) * sourceRowLength
    const outBase = row * width * channels
    kernel(data, sourceBase, output, outBase, channels, 0, width, first, count, weights, stride)
  }
  return { width, height, channels, data: output }
}

function cropRows(
  source: PixelBuffer,
  columnStart: number,
  columnEnd: number,
  rowStart: number,
  rowEnd: number,
): PixelBuffer {
  const { channels } = source
  const width = columnEnd - columnStart
  const height = rowEnd - rowStart
  const output = new Uint8Array(width * height * channels)
  for (let row = 0; row < height; row++) {
    const begin = ((row + rowStart) * source.width + columnStart) * channels
    output.set(source.data.subarray(begin, begin + width * channels), row * width * channels)
  }
  return { width, height, channels, data: output }
}
