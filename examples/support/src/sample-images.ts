// A few small, clearly different PNGs for the examples' tests, drawn with sharp from SVG.
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'

const SAMPLES = [
  { name: 'red-circle.png', svg: '<circle cx="48" cy="48" r="36" fill="#d22"/>', background: '#fff' },
  {
    name: 'green-square.png',
    svg: '<rect x="16" y="16" width="64" height="64" fill="#2a2"/>',
    background: '#eee',
  },
  { name: 'blue-stripes.png', svg: stripes('#22c'), background: '#fff' },
  { name: 'night-sky.png', svg: '<circle cx="70" cy="24" r="10" fill="#ffd"/>', background: '#013' },
] as const

function stripes(colour: string): string {
  return Array.from(
    { length: 6 },
    (_, index) => `<rect x="0" y="${index * 16}" width="96" height="8" fill="${colour}"/>`,
  ).join('')
}

/** Writes the sample PNGs into `directory` and returns their file names. */
export async function writeSampleImages(directory: string): Promise<string[]> {
  await mkdir(directory, { recursive: true })
  for (const sample of SAMPLES) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96"><rect width="96" height="96" fill="${sample.background}"/>${sample.svg}</svg>`
    await sharp(Buffer.from(svg)).png().toFile(join(directory, sample.name))
  }
  return SAMPLES.map((sample) => sample.name)
}
