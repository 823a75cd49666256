// Test helper: runs the Pillow reference pipeline (Debian's python3-pil) on files or raw pixels
// and returns its float32 CHW tensors, so tests compare against Pillow itself, not stored numbers.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DecodedImage, ImageSpec } from '../../src'

/** Debian's interpreter: the pyenv python3 on PATH has no Pillow. */
export const systemPython = '/usr/bin/python3'
const script = join(import.meta.dirname, 'pillow_tensors.py')

/**
 * Why Pillow goldens cannot be made here, or undefined when they can. Under CI=true a missing Pillow
 * throws instead: the comparisons would be skipped and the run green without them. (@edgeclip/testkit
 * has the same rule for other tools, but it depends on core, so core's tests cannot import it.)
 */
export function pillowUnavailableReason(): string | undefined {
  const probe = spawnSync(systemPython, ['-c', 'import PIL, numpy'], { encoding: 'utf8' })
  let reason: string | undefined
  if (probe.error) reason = `${systemPython} not found (install python3-pil and python3-numpy)`
  else if (probe.status !== 0)
    reason = `${systemPython} lacks Pillow or numpy (apt-get install python3-pil python3-numpy)`
  if (reason !== undefined && (process.env.CI === 'true' || process.env.CI === '1'))
    throw new Error(`CI=true and Pillow is missing: ${reason}`)
  return reason
}

interface RawJob {
  raw: string
  mode: string
  width: number
  height: number
  output: string
  palette?: string
  paletteMode?: 'RGB' | 'RGBA'
}

export type GoldenInput = { file: string } | { image: DecodedImage }

/** Pillow's tensor for each input, in order; one interpreter run for the whole list. */
export function pillowTensors(inputs: readonly GoldenInput[], spec: ImageSpec): Float32Array[] {
  const directory = mkdtempSync(join(tmpdir(), 'edgeclip-pillow-'))
  try {
    const jobs = inputs.map((input, index): RawJob | { file: string; output: string } => {
      const output = join(directory, `${index}.f32`)
      if ('file' in input) return { file: input.file, output }
      const { image } = input
      const raw = join(directory, `${index}.raw`)
      writeFileSync(raw, image.data)
      const job: RawJob = { raw, mode: image.mode, width: image.width, height: image.height, output }
      if (image.palette) {
        job.palette = join(directory, `${index}.palette`)
        job.paletteMode = image.paletteChannels === 4 ? 'RGBA' : 'RGB'
        writeFileSync(job.palette, image.palette)
      }
      return job
    })
    const jobsPath = join(directory, 'jobs.json')
    writeFileSync(jobsPath, JSON.stringify({ size: spec.size, mean: spec.mean, std: spec.std, jobs }))
    const run = spawnSync(systemPython, [script, jobsPath], { encoding: 'utf8' })
    if (run.status !== 0) throw new Error(`Pillow reference failed: ${run.stderr || run.error}`)
    return jobs.map((job) => {
      // Copy: a pooled Buffer's offset need not be 4-aligned.
      return new Float32Array(new Uint8Array(readFileSync(job.output)).buffer)
    })
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
}

/** Largest absolute element-wise difference. */
export function maxAbsDiff(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`)
  let worst = 0
  for (let index = 0; index < actual.length; index++) {
    worst = Math.max(worst, Math.abs((actual[index] as number) - (expected[index] as number)))
  }
  return worst
}
