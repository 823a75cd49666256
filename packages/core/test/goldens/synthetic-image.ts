// Test helper: deterministic decoded images in every pixel mode, for comparisons with Pillow.
import type { DecodedImage, PixelMode } from '../../src'

const channelsByMode: Record<PixelMode, number> = { L: 1, LA: 2, RGB: 3, RGBA: 4, CMYK: 4, P: 1 }

/** Deterministic pixels: smooth gradients with seeded noise, so both ringing and clipping occur. */
export function syntheticImage(width: number, height: number, mode: PixelMode, seed: number): DecodedImage {
  const channels = channelsByMode[mode]
  const data = new Uint8Array(width * height * channels)
  let state = seed >>> 0
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state >>> 24
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let channel = 0; channel < channels; channel++) {
        const gradient = ((x * (channel + 1) * 255) / width + (y * 255) / height) / 2
        const noisy = (x + y + channel) % 7 === 0 ? random() : gradient
        data[(y * width + x) * channels + channel] = Math.round(noisy) & 255
      }
    }
  }
  if (mode === 'RGBA' || mode === 'LA') {
    // Fully transparent stripes with bright colour under them: only premultiplication hides it.
    for (let index = 0; index < width * height; index++) {
      const alphaIndex = index * channels + channels - 1
      if (index % width < width / 4) {
        data[alphaIndex] = 0
        data[alphaIndex - 1] = 255
      } else if (index % 5 === 0) {
        data[alphaIndex] = random()
      }
    }
  }
  if (mode !== 'P') return { width, height, mode, data }
  const paletteEntries = 7
  for (let index = 0; index < data.length; index++) data[index] = (data[index] as number) % paletteEntries
  const palette = new Uint8Array(paletteEntries * 3)
  for (let index = 0; index < palette.length; index++) palette[index] = random()
  return { width, height, mode, data, palette, paletteChannels: 3 }
}
