// Pixels to the vision tower's input, as the reference pipeline does it with Pillow: short side
// to `spec.size` (bicubic; nearest for palette images), centre crop, RGB after the crop, /255,
// normalize. Every step matches Pillow's integer arithmetic, so the tensors agree bit for bit.
import { EdgeclipError } from '../errors'
import type { ImageSpec } from '../model-spec'
import type { DecodedImage, PixelMode } from '../ports'
import { defaultMaxImagePixels } from './image-limits'
import { resampleNearest } from './pillow-nearest'
import { type OutputWindow, type PixelBuffer, resampleBicubic } from './pillow-resample'
import { unpremultiplyAlpha } from './premultiplied-alpha'

const channelsByMode: Record<PixelMode, number> = { L: 1, LA: 2, RGB: 3, RGBA: 4, CMYK: 4, P: 1 }

/** Size after resizing the short side to `size`; the long side is truncated, as torchvision does. */
export function resizedSize(width: number, height: number, size: number): { width: number; height: number } {
  if (width <= height) return { width: size, height: Math.trunc((size * height) / width) }
  return { width: Math.trunc((size * width) / height), height: size }
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfToEven(value: number): number {
  const floor = Math.floor(value)
  const fraction = value - floor
  if (fraction > 0.5) return floor + 1
  if (fraction < 0.5) return floor
  return floor % 2 === 0 ? floor : floor + 1
}

/** Top-left corner of the centred size x size crop: round((dim - size) / 2), halves to even. */
export function centerCropOffsets(
  width: number,
  height: number,
  size: number,
): { left: number; top: number } {
  return { left: roundHalfToEven((width - size) / 2), top: roundHalfToEven((height - size) / 2) }
}

/** Floats per image in the tower's input: 3 x size x size. */
export function imageTensorLength(spec: ImageSpec): number {
  return 3 * spec.size * spec.size
}

/** Preprocesses one image into a new float32 [3, size, size] (CHW) tensor. */
export function preprocessImage(image: DecodedImage, spec: ImageSpec): Float32Array {
  const tensor = new Float32Array(imageTensorLength(spec))
  preprocessImageInto(image, spec, tensor, 0)
  return tensor
}

/** A batch as one float32 [N, 3, size, size] tensor, images in order. */
export function preprocessImages(images: readonly DecodedImage[], spec: ImageSpec): Float32Array {
  const length = imageTensorLength(spec)
  const batch = new Float32Array(images.length * length)
  images.forEach((image, index) => {
    preprocessImageInto(image, spec, batch, index * length)
  })
  return batch
}

/** Like `preprocessImage`, writing into `target` from `offset`, so a batch fills one buffer. */
export function preprocessImageInto(
  image: DecodedImage,
  spec: ImageSpec,
  target: Float32Array,
  offset: number,
): void {
  const channels = validateImage(image)
  const { size } = spec
  if (offset < 0 || offset + imageTensorLength(spec) > target.length) {
    throw new RangeError(`target too small for a ${size}x${size} image at offset ${offset}`)
  }
  const resized = resizedSize(image.width, image.height, size)
  if (resized.width * resized.height > defaultMaxImagePixels) {
    // Only a window is computed, but the reference materializes the whole resized image.
    throw new EdgeclipError(
      `image is ${image.width}x${image.height}: too elongated (it would resize to ${resized.width}x${resized.height})`,
      { status: 413, code: 'image_too_large' },
    )
  }
  const { left, top } = centerCropOffsets(resized.width, resized.height, size)
  const window: OutputWindow = {
    columnStart: left,
    columnEnd: left + size,
    rowStart: top,
    rowEnd: top + size,
  }
  const source: PixelBuffer = { width: image.width, height: image.height, channels, data: image.data }
  const cropped = resizeAndCrop(source, image.mode, resized, window)
  writeNormalized(cropped, image, spec, target, offset)
}

function resizeAndCrop(
  source: PixelBuffer,
  mode: PixelMode,
  resized: { width: number; height: number },
  window: OutputWindow,
): PixelBuffer {
  const unchanged = resized.width === source.width && resized.height === source.height
  // Pillow returns a copy when the size already matches: no resampling, no alpha round trip.
  if (unchanged || mode === 'P') return resampleNearest(source, resized.width, resized.height, window)
  if (mode === 'LA' || mode === 'RGBA') {
    // Premultiplied on the way into the resize (Pillow's RGBa), divided back after the crop.
    return unpremultiplyAlpha(resampleBicubic(source, resized.width, resized.height, window, true))
  }
  return resampleBicubic(source, resized.width, resized.height, window)
}

/** Per channel, the normalized float32 value of each byte, computed in float32 like numpy does. */
const normalizationTables = new WeakMap<ImageSpec, Float32Array[]>()

function normalizationTable(spec: ImageSpec): Float32Array[] {
  const cached = normalizationTables.get(spec)
  if (cached) return cached
  const tables = [0, 1, 2].map((channel) => {
    const mean = Math.fround(spec.mean[channel] as number)
    const std = Math.fround(spec.std[channel] as number)
    const table = new Float32Array(256)
    for (let value = 0; value < 256; value++) {
      table[value] = Math.fround(Math.fround(Math.fround(value / 255) - mean) / std)
    }
    return table
  })
  normalizationTables.set(spec, tables)
  return tables
}

/**
 * Converts the cropped pixels to RGB (after the crop, as Pillow's convert) and normalizes to CHW.
 * One loop per mode, so the per-pixel work carries no mode test.
 */
function writeNormalized(
  cropped: PixelBuffer,
  image: DecodedImage,
  spec: ImageSpec,
  target: Float32Array,
  offset: number,
): void {
  const [red, green, blue] = normalizationTable(spec) as [Float32Array, Float32Array, Float32Array]
  const plane = cropped.width * cropped.height
  const { data, channels } = cropped
  const greenOffset = offset + plane
  const blueOffset = offset + 2 * plane
  if (image.mode === 'P') {
    writePalette(data, image, plane, red, green, blue, target, offset)
  } else if (image.mode === 'CMYK') {
    for (let pixel = 0, base = 0; pixel < plane; pixel++, base += 4) {
      // Pillow's cmyk2rgb: (255 - k) less MULDIV255(ink, 255 - k), per channel.
      const inverseBlack = 255 - (data[base + 3] as number)
      target[offset + pixel] = red[cmykChannel(data[base] as number, inverseBlack)] as number
      target[greenOffset + pixel] = green[cmykChannel(data[base + 1] as number, inverseBlack)] as number
      target[blueOffset + pixel] = blue[cmykChannel(data[base + 2] as number, inverseBlack)] as number
    }
  } else if (channels < 3) {
    for (let pixel = 0, base = 0; pixel < plane; pixel++, base += channels) {
      const grey = data[base] as number
      target[offset + pixel] = red[grey] as number
      target[greenOffset + pixel] = green[grey] as number
      target[blueOffset + pixel] = blue[grey] as number
    }
  } else {
    for (let pixel = 0, base = 0; pixel < plane; pixel++, base += channels) {
      target[offset + pixel] = red[data[base] as number] as number
      target[greenOffset + pixel] = green[data[base + 1] as number] as number
      target[blueOffset + pixel] = blue[data[base + 2] as number] as number
    }
  }
}

function writePalette(
  data: Uint8Array,
  image: DecodedImage,
  plane: number,
  red: Float32Array,
  green: Float32Array,
  blue: Float32Array,
  target: Float32Array,
  offset: number,
): void {
  const palette = image.palette ?? new Uint8Array(0)
  const paletteChannels = image.paletteChannels ?? 3
  for (let pixel = 0; pixel < plane; pixel++) {
    const index = data[pixel] as number
    const entry = index * paletteChannels
    // Pillow fills palette entries the file does not define with a grey ramp.
    const defined = entry + 2 < palette.length
    target[offset + pixel] = red[defined ? (palette[entry] as number) : index] as number
    target[offset + plane + pixel] = green[defined ? (palette[entry + 1] as number) : index] as number
    target[offset + 2 * plane + pixel] = blue[defined ? (palette[entry + 2] as number) : index] as number
  }
}

function cmykChannel(ink: number, inverseBlack: number): number {
  const product = ink * inverseBlack + 128
  return Math.max(0, inverseBlack - (((product >> 8) + product) >> 8))
}

function invalidImage(message: string): EdgeclipError {
  return new EdgeclipError(message, { status: 422, code: 'invalid_image' })
}

/** Returns the samples per pixel; throws a 422 for pixels that do not describe an image. */
function validateImage(image: DecodedImage): number {
  const { width, height, mode, data } = image
  const channels = channelsByMode[mode]
  if (channels === undefined) throw invalidImage(`unsupported pixel mode ${String(mode)}`)
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 1 || height < 1) {
    throw invalidImage(`invalid image size ${width}x${height}`)
  }
  if (data.length !== width * height * channels) {
    throw invalidImage(`expected ${width * height * channels} bytes of ${mode} pixels, got ${data.length}`)
  }
  if (mode === 'P') {
    const paletteChannels = image.paletteChannels ?? 3
    if (!image.palette || image.palette.length === 0 || image.palette.length % paletteChannels !== 0) {
      throw invalidImage('palette image without a valid palette')
    }
  }
  return channels
}
