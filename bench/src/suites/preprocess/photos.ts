// The preprocess bench's fixed photo set, generated (not committed) so the repo carries no binary
// images: deterministic photo-like content (smooth light, soft shapes, sensor-like grain), encoded
// the way cameras and screenshots are, in the sizes and modes issue 12 names.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp, { type Sharp } from 'sharp'

export interface BenchPhoto {
  name: string
  path: string
  width: number
  height: number
}

interface PhotoSpec {
  name: string
  width: number
  height: number
  channels: 1 | 3 | 4
  encode: (image: Sharp) => Sharp
}

const photoSpecs: PhotoSpec[] = [
  {
    name: 'jpeg-640x480',
    width: 640,
    height: 480,
    channels: 3,
    encode: (image) => image.jpeg({ quality: 90 }),
  },
  {
    name: 'jpeg-1024x768',
    width: 1024,
    height: 768,
    channels: 3,
    encode: (image) => image.jpeg({ quality: 90 }),
  },
  {
    name: 'jpeg-1920x1080',
    width: 1920,
    height: 1080,
    channels: 3,
    encode: (image) => image.jpeg({ quality: 90 }),
  },
  {
    name: 'jpeg-800x1200',
    width: 800,
    height: 1200,
    channels: 3,
    encode: (image) => image.jpeg({ quality: 90 }),
  },
  { name: 'png-rgba-800x600', width: 800, height: 600, channels: 4, encode: (image) => image.png() },
  {
    name: 'png-palette-640x480',
    width: 640,
    height: 480,
    channels: 3,
    encode: (image) => image.png({ palette: true, colours: 256, dither: 0 }),
  },
  {
    name: 'jpeg-grey-1024x768',
    width: 1024,
    height: 768,
    channels: 1,
    // Without b-w, libvips writes the one band as a three-channel JPEG.
    encode: (image) => image.toColourspace('b-w').jpeg({ quality: 90 }),
  },
]

/** Photo-like pixels: lit gradients, a few soft discs and +-6 of seeded grain. */
function photoPixels(width: number, height: number, channels: number, seed: number): Uint8Array {
  const data = new Uint8Array(width * height * channels)
  let state = seed >>> 0
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
  const discs = Array.from({ length: 12 }, () => ({
    x: random() * width,
    y: random() * height,
    radius: (0.05 + random() * 0.2) * Math.min(width, height),
    colour: [random() * 255, random() * 255, random() * 255],
  }))
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const light = 0.6 + 0.4 * Math.sin((x / width) * 3.1 + (y / height) * 1.7)
      const base = [light * 200, light * (120 + (80 * y) / height), light * (90 + (120 * x) / width)]
      for (const disc of discs) {
        const distance = Math.hypot(x - disc.x, y - disc.y) / disc.radius
        if (distance < 1) {
          const weight = 1 - distance ** 4
          for (let channel = 0; channel < 3; channel++) {
            base[channel] = base[channel]! * (1 - weight) + disc.colour[channel]! * weight
          }
        }
      }
      const pixel = (y * width + x) * channels
      const grain = (random() - 0.5) * 12
      if (channels === 1) {
        data[pixel] = Math.max(
          0,
          Math.min(255, 0.299 * base[0]! + 0.587 * base[1]! + 0.114 * base[2]! + grain),
        )
        continue
      }
      for (let channel = 0; channel < 3; channel++) {
        data[pixel + channel] = Math.max(0, Math.min(255, base[channel]! + grain))
      }
      // Alpha: a vignette that is opaque in the middle and fades to transparent in the corners.
      if (channels === 4) {
        const edge = Math.hypot(x / width - 0.5, y / height - 0.5) * 2
        data[pixel + 3] = Math.max(0, Math.min(255, 255 * (1.4 - edge)))
      }
    }
  }
  return data
}

/** Writes the photo set into `directory` (same bytes on every run with the same sharp). */
export async function writeBenchPhotos(directory: string): Promise<BenchPhoto[]> {
  await mkdir(directory, { recursive: true })
  const photos: BenchPhoto[] = []
  for (const [index, spec] of photoSpecs.entries()) {
    const pixels = photoPixels(spec.width, spec.height, spec.channels, 1000 + index)
    const raw = sharp(pixels, { raw: { width: spec.width, height: spec.height, channels: spec.channels } })
    const bytes = await spec.encode(raw).toBuffer()
    const extension = spec.name.startsWith('png') ? 'png' : 'jpg'
    const path = join(directory, `${spec.name}.${extension}`)
    await writeFile(path, bytes)
    photos.push({ name: spec.name, path, width: spec.width, height: spec.height })
  }
  return photos
}
