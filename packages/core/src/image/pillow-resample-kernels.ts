// Pillow's 8-bit fixed-point arithmetic (libImaging/Resample.c) and the inner loops of the
// horizontal pass, which is where resizing spends its time.

/** Fixed-point precision of the weights: 32 bits less 8 for the sample and 2 for overshoot. */
const precisionBits = 32 - 8 - 2
export const fixedOne = 1 << precisionBits
export const roundingBias = 1 << (precisionBits - 1)

/** Pillow's clip8: drop the fraction bits (arithmetic shift), then clamp to a byte. */
export function clip8(accumulator: number): number {
  const value = accumulator >> precisionBits
  return value < 0 ? 0 : Math.min(value, 255)
}

export type HorizontalKernel = (
  data: Uint8Array,
  sourceBase: number,
  output: Uint8Array,
  outBase: number,
  channels: number,
  columnStart: number,
  columnEnd: number,
  first: Int32Array,
  count: Int32Array,
  weights: Int32Array,
  stride: number,
) => void

// One row of the horizontal pass. RGB and RGBA get their own loops (one weight load feeds every
// channel); the arithmetic is the same in all three.
export const horizontalAny: HorizontalKernel = (
  data,
  sourceBase,
  output,
  outBase,
  channels,
  start,
  end,
  first,
  count,
  weights,
  stride,
) => {
  let outIndex = outBase
  for (let column = start; column < end; column++) {
    const taps = count[column] as number
    const weightBase = column * stride
    for (let channel = 0; channel < channels; channel++) {
      let accumulator = roundingBias
      let position = sourceBase + (first[column] as number) * channels + channel
      for (let tap = 0; tap < taps; tap++) {
        accumulator += (data[position] as number) * (weights[weightBase + tap] as number)
        position += channels
      }
      output[outIndex++] = clip8(accumulator)
    }
  }
}

export const horizontalRgb: HorizontalKernel = (
  data,
  sourceBase,
  output,
  outBase,
  _channels,
  start,
  end,
  first,
  count,
  weights,
  stride,
) => {
  let outIndex = outBase
  for (let column = start; column < end; column++) {
    const taps = count[column] as number
    const weightBase = column * stride
    let position = sourceBase + (first[column] as number) * 3
    let red = roundingBias
    let green = roundingBias
    let blue = roundingBias
    for (let tap = 0; tap < taps; tap++) {
      const weight = weights[weightBase + tap] as number
      red += (data[position] as number) * weight
      green += (data[position + 1] as number) * weight
      blue += (data[position + 2] as number) * weight
      position += 3
    }
    output[outIndex] = clip8(red)
    output[outIndex + 1] = clip8(green)
    output[outIndex + 2] = clip8(blue)
    outIndex += 3
  }
}

export const horizontalRgba: HorizontalKernel = (
  data,
  sourceBase,
  output,
  outBase,
  _channels,
  start,
  end,
  first,
  count,
  weights,
  stride,
) => {
  let outIndex = outBase
  for (let column = start; column < end; column++) {
    const taps = count[column] as number
    const weightBase = column * stride
    let position = sourceBase + (first[column] as number) * 4
    let red = roundingBias
    let green = roundingBias
    let blue = roundingBias
    let alpha = roundingBias
    for (let tap = 0; tap < taps; tap++) {
      const weight = weights[weightBase + tap] as number
      red += (data[position] as number) * weight
      green += (data[position + 1] as number) * weight
      blue += (data[position + 2] as number) * weight
      alpha += (data[position + 3] as number) * weight
      position += 4
    }
    output[outIndex] = clip8(red)
    output[outIndex + 1] = clip8(green)
    output[outIndex + 2] = clip8(blue)
    output[outIndex + 3] = clip8(alpha)
    outIndex += 4
  }
}
