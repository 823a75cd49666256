// Figure e: image decode and preprocessing, edgeclip (sharp decode + core's Pillow-exact pipeline)
// against Pillow + numpy (Debian's /usr/bin/python3), one thread each, on one photo set, in one
// run: rounds alternate Pillow and edgeclip so both see the same machine load. Also written to
// bench/results/preprocess.{json,md}, so this figure can be re-run without touching latest.*.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { type DecodedImage, jinaClipV1, preprocessImage } from '@edgeclip/core'
import { SharpImageDecoder } from '@edgeclip/core/node'
import sharp from 'sharp'
import { type MachineInfo, machineInfo } from '../machine'
import { type Report, renderMarkdown } from '../report'
import { round, summarize } from '../stats'
import type { ResultTable, SuiteContext, SuiteResult } from '../suite'
import { writeBenchPhotos } from './preprocess/photos'
import { measurePool } from './preprocess/pool'

const python = '/usr/bin/python3'
const pillowScript = fileURLToPath(new URL('./preprocess/pillow_preprocess.py', import.meta.url))
const resultsDir = fileURLToPath(new URL('../../results/', import.meta.url))
const spec = jinaClipV1.image
const stages = ['decode', 'preprocess', 'total'] as const
type Stage = (typeof stages)[number]
type Samples = Record<Stage | `${Stage}Cpu`, number[]>

const emptySamples = (): Samples => ({
  decode: [],
  preprocess: [],
  total: [],
  decodeCpu: [],
  preprocessCpu: [],
  totalCpu: [],
})

interface PillowOutput {
  pillow: string
  numpy: string
  photos: { mode: string; samples: Samples }[]
}

/**
 * One Python process for the whole run, fed job files on stdin. Spawning per round forked this
 * process each time, which made every page of its heap copy-on-write: its next decodes then paid
 * page faults (640x480 JPEG ~3 -> ~8 ms of CPU) that the freshly started Python side did not.
 */
class PillowServer {
  readonly #child: ChildProcessWithoutNullStreams
  readonly #lines: AsyncIterator<string>
  #stderr = ''

  constructor() {
    this.#child = spawn(python, [pillowScript, '--serve'], {
      // numpy's element-wise ops are single-threaded; this keeps any BLAS pool out of it too.
      env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
    })
    this.#child.stderr.on('data', (chunk: Buffer) => {
      this.#stderr += chunk.toString()
    })
    this.#lines = createInterface({ input: this.#child.stdout })[Symbol.asyncIterator]()
  }

  async run(jobPath: string): Promise<PillowOutput> {
    this.#child.stdin.write(`${jobPath}\n`)
    const line = await this.#lines.next()
    if (line.done) throw new Error(`Pillow bench failed: ${this.#stderr}`)
    return JSON.parse(line.value) as PillowOutput
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return
    const exited = once(this.#child, 'exit')
    this.#child.stdin.end()
    await exited
  }
}

const cpuMs = () => {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000
}

async function timed<T>(work: () => T | Promise<T>): Promise<[T, number, number]> {
  const wall = performance.now()
  const cpu = cpuMs()
  const result = await work()
  return [result, performance.now() - wall, cpuMs() - cpu]
}

/** edgeclip's side: the backend's decoder and core's preprocessing, one image at a time. */
async function runEdgeclip(bytes: Uint8Array[], repeats: number, into: Samples[]) {
  const decoder = new SharpImageDecoder()
  for (const index of bytes.keys()) {
    const samples = into[index] as Samples
    // One untimed pass per photo, as the Python side makes before its repeats.
    preprocessImage(await decoder.decode(bytes[index] as Uint8Array), spec)
    for (let repeat = 0; repeat < repeats; repeat++) {
      const [decoded, decodeWall, decodeCpu] = await timed(() => decoder.decode(bytes[index] as Uint8Array))
      samples.decode.push(decodeWall)
      samples.decodeCpu.push(decodeCpu)
      const [, preprocessWall, preprocessCpu] = await timed(() => preprocessImage(decoded, spec))
      samples.preprocess.push(preprocessWall)
      samples.preprocessCpu.push(preprocessCpu)
      const [, totalWall, totalCpu] = await timed(async () =>
        preprocessImage(await decoder.decode(bytes[index] as Uint8Array), spec),
      )
      samples.total.push(totalWall)
      samples.totalCpu.push(totalCpu)
    }
  }
}

function maxAbsDiff(actual: Float32Array, expected: Float32Array): number {
  let worst = 0
  for (let index = 0; index < actual.length; index++) {
    worst = Math.max(worst, Math.abs((actual[index] as number) - (expected[index] as number)))
  }
  return worst
}

const median = (values: number[]) => summarize(values).median

export async function preprocessBench(context: SuiteContext): Promise<SuiteResult> {
  const rounds = context.quick ? 2 : 4
  const repeats = context.quick ? 4 : 10
  // One libvips thread per image: the comparison is per core, and Pillow decodes on one thread.
  sharp.concurrency(1)
  const started = { at: new Date(), machine: machineInfo() }
  const pillowServer = new PillowServer()
  const scratch = await mkdtemp(join(context.workDir, 'preprocess-'))
  try {
    const photos = await writeBenchPhotos(join(scratch, 'photos'))
    const bytes = await Promise.all(photos.map(async (photo) => new Uint8Array(await readFile(photo.path))))
    const job = (withTensors: boolean, count: number) => ({
      files: photos.map((photo) => photo.path),
      repeats: count,
      size: spec.size,
      mean: spec.mean,
      std: spec.std,
      tensorDir: withTensors ? scratch : undefined,
    })
    const jobPath = join(scratch, 'job.json')
    const checkPath = join(scratch, 'check.json')
    await writeFile(jobPath, JSON.stringify(job(false, repeats)))
    await writeFile(checkPath, JSON.stringify(job(true, 1)))

    // Agreement first: the figures only mean something if both sides compute the same tensor.
    const check = await pillowServer.run(checkPath)
    const decoder = new SharpImageDecoder()
    const agreement: { mode: string; maxAbsDiff: number }[] = []
    for (const [index] of photos.entries()) {
      const image: DecodedImage = await decoder.decode(bytes[index] as Uint8Array)
      const expected = new Float32Array(new Uint8Array(await readFile(join(scratch, `${index}.f32`))).buffer)
      agreement.push({ mode: image.mode, maxAbsDiff: maxAbsDiff(preprocessImage(image, spec), expected) })
    }

    const pillow = photos.map(emptySamples)
    const edgeclip = photos.map(emptySamples)
    for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
      context.log(`preprocess: round ${roundIndex + 1}/${rounds}`)
      const output = await pillowServer.run(jobPath)
      for (const [index, photo] of output.photos.entries()) {
        for (const key of Object.keys(photo.samples) as (keyof Samples)[]) {
          pillow[index]?.[key].push(...photo.samples[key])
        }
      }
      await runEdgeclip(bytes, repeats, edgeclip)
    }

    const perPhoto = photos.map((photo, index) => {
      const ours = edgeclip[index] as Samples
      const theirs = pillow[index] as Samples
      const row: Record<string, number | string> = {
        photo: photo.name,
        mode: `${check.photos[index]?.mode} / ${agreement[index]?.mode}`,
      }
      for (const stage of stages) {
        row[`pillow.${stage}`] = round(median(theirs[`${stage}Cpu`]), 2)
        row[`edgeclip.${stage}`] = round(median(ours[`${stage}Cpu`]), 2)
        row[`speedup.${stage}`] = round(median(theirs[`${stage}Cpu`]) / median(ours[`${stage}Cpu`]), 2)
      }
      row.maxAbsDiff = agreement[index]?.maxAbsDiff ?? Number.NaN
      return row
    })
    const wallRows = photos.map((photo, index) => {
      const row: Record<string, number | string> = { photo: photo.name }
      for (const stage of stages) {
        row[`pillow.${stage}`] = round(median((pillow[index] as Samples)[stage]), 2)
        row[`edgeclip.${stage}`] = round(median((edgeclip[index] as Samples)[stage]), 2)
      }
      return row
    })
    // Images per second per core over the whole set: photos / the sum of per-photo CPU medians.
    const perCore = (side: Samples[], stage: Stage) =>
      photos.length / (side.reduce((sum, samples) => sum + median(samples[`${stage}Cpu`]), 0) / 1000)
    const setRows = stages.map((stage) => ({
      stage,
      'pillow img/s/core': round(perCore(pillow, stage), 1),
      'edgeclip img/s/core': round(perCore(edgeclip, stage), 1),
      'edgeclip / pillow': round(perCore(edgeclip, stage) / perCore(pillow, stage), 2),
    }))
    context.log('preprocess: backend image pool')
    const poolRounds = context.quick ? 4 : 12
    const pool = [
      await measurePool(bytes, spec, 1, poolRounds),
      await measurePool(bytes, spec, availableParallelism(), poolRounds),
    ]
    const perCoreRate = pool[0]?.imagesPerCpuSecond ?? Number.NaN
    const poolRows = pool.map((figures) => ({
      threads: figures.threads,
      images: figures.images,
      'wall img/s': round(figures.imagesPerSecond, 1),
      'img per CPU-second (per core)': round(figures.imagesPerCpuSecond, 1),
      'cores for 4000 img/s': round(4000 / figures.imagesPerCpuSecond, 1),
    }))
    const tables: ResultTable[] = [
      { title: 'Whole photo set, images per second per core (CPU time)', rows: setRows },
      { title: 'Per photo, median CPU ms per image (speedup = Pillow / edgeclip)', rows: perPhoto },
      { title: 'Per photo, median wall ms per image (loaded machine: compare within a row)', rows: wallRows },
      {
        title: 'Backend ImageWorkerPool (sharp decode + preprocessing per worker, no tower), the photo set',
        rows: poolRows,
      },
    ]
    const result: SuiteResult = {
      name: 'preprocess',
      title: 'e. Image decode + preprocessing (224x224 CHW float32), edgeclip vs Pillow, one thread each',
      model: `jina-clip-v1 image spec (short side ${spec.size} bicubic, centre crop, CLIP mean/std)`,
      tables,
      notes: [
        `Pillow ${check.pillow} + numpy ${check.numpy} (${python}) vs sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}, concurrency 1) + @edgeclip/core preprocessImage (JS, bicubic passes in WebAssembly SIMD).`,
        `${rounds} rounds alternating Pillow and edgeclip, ${repeats} repeats per photo per round; figures are medians of all samples. CPU time (process user+sys) is the headline because the machine is shared; wall times are beside it.`,
        'decode = file bytes to pixels (Image.open + load; SharpImageDecoder.decode); preprocess = pixels to the tensor (resize, crop, convert, normalize); total = both in one go.',
        `Backend pool: @edgeclip/gpu-backend ImageWorkerPool, ${poolRounds} passes over the set queued at once; CPU-seconds are the whole process (workers, main thread, libvips). One GPU at 4000 img/s needs ~${Math.ceil(4000 / perCoreRate)} such cores for decode + preprocessing (measured rate, estimated core count).`,
        `Allocator: GLIBC_TUNABLES=${process.env.GLIBC_TUNABLES || 'unset (glibc defaults)'} for both processes; the backend's \`pnpm start\` sets glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=67108864 (without it glibc maps each decoded image afresh and sharp's JPEG decode costs up to ~3x the CPU).`,
        'maxAbsDiff: edgeclip tensor vs Pillow tensor on the same file (PNG must be 0; JPEG differs only where the two libjpeg-turbo builds decode differently).',
      ],
      raw: { pillow, edgeclip, agreement, pool },
    }
    await writeStandalone(result, started, context.quick)
    return result
  } finally {
    await pillowServer.close()
    await rm(scratch, { recursive: true, force: true })
  }
}

/** This suite's own results file, like edge-fit's, so a re-run does not rewrite latest.*. */
async function writeStandalone(
  result: SuiteResult,
  started: { at: Date; machine: MachineInfo },
  quick: boolean,
): Promise<void> {
  const report: Report = {
    startedAt: started.at.toISOString(),
    durationS: Math.round((Date.now() - started.at.getTime()) / 1000),
    mode: quick ? 'quick' : 'full',
    machine: started.machine,
    suites: [result],
  }
  const { raw: _raw, ...withoutRaw } = result
  await writeFile(
    join(resultsDir, 'preprocess.json'),
    `${JSON.stringify({ ...report, suites: [withoutRaw] }, null, 2)}\n`,
  )
  await writeFile(join(resultsDir, 'preprocess.md'), renderMarkdown(report))
}
