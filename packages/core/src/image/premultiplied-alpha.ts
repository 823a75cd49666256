// Pillow resizes LA and RGBA through premultiplied modes (La, RGBa) and converts back after,
// with its own rounding both ways (libImaging/Convert.c): multiply rounds, divide truncates.
import type { PixelBuffer } from './pillow-resample'

/** Pillow's MULDIV255: a*b/255 rounded, without a division. */
function multiplyDivide255(value: number, alpha: number): number {
  const product = value * alpha + 128
  return ((product >> 8) + product) >> 8
}

/** Copy of `image` (alpha last) with colour samples multiplied by alpha. */
export function premultiplyAlpha(image: PixelBuffer): PixelBuffer {
  const { channels, data } = image
  // Opaque pixels are the common case and MULDIV255(v, 255) is v: copy everything, then fix the rest.
  const output = new Uint8Array(data)
  for (let alphaIndex = channels - 1; alphaIndex < data.length; alphaIndex += channels) {
    const alpha = data[alphaIndex] as number
    if (alpha === 255) continue
    for (let sample = alphaIndex - channels + 1; sample < alphaIndex; sample++) {
      output[sample] = multiplyDivide255(data[sample] as number, alpha)
    }
  }
  return { ...image, data: output }
}

/** Undoes `premultiplyAlpha` in place; alpha 0 and 255 leave the colour as it is. */
export function unpremultiplyAlpha(image: PixelBuffer): PixelBuffer {
  const { channels, data } = image
  for (let base = 0; base < data.length; base += channels) {
    const alpha = data[base + channels - 1] as number
    if (alpha === 0 || alpha === 255) continue
    for (let channel = 0; channel < channels - 1; channel++) {
      const value = Math.trunc((255 * (data[base + channel] as number)) / alpha)
      data[base + channel] = Math.min(value, 255)
    }
  }
  return image
}
