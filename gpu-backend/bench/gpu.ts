// `pnpm --filter @edgeclip/gpu-backend bench:gpu [--model-dir DIR] [--variant fp16] [--out FILE]`:
// images/s and tokens/s with onnxruntime-node's CUDA provider, written to a JSON file. Built to end
// well inside 8 minutes on an H200: every section stops at its time share. Without a working CUDA
// provider it says why and exits 2 (run `pnpm --filter @edgeclip/gpu-backend setup:cuda` first).
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { imageTensorLength, OnnxImageTower, OnnxTextTower, type OnnxVariant } from '@edgeclip/core'
import { createNodeSession } from '@edgeclip/core/onnx-node'
import { buildFixtureTextModel } from '@edgeclip/testkit'
import { imagesEndToEnd } from './gpu-end-to-end'
import { gpuBenchModels } from './gpu-models'
import { perSecond, round, seededRandom, syntheticIds } from './measure'

const { values } = parseArgs({
  options: {
    'model-dir': { type: 'string' },
    variant: { type: 'string', default: 'fp16' },
    out: { type: 'string', default: 'bench/results/backend-gpu.json' },
    'budget-seconds': { type: 'string', default: '420' },
  },
})
const log = (message: string) => console.error(`[bench:gpu] ${message}`)
const startedAt = performance.now()
const deadline = startedAt + Number(values['budget-seconds']) * 1000
const outPath = resolve(process.env.INIT_CWD ?? process.cwd(), values.out!)

// 1. CUDA or nothing: a CPU fallback would report CPU figures under a GPU label.
try {
  const probe = await createNodeSession(buildFixtureTextModel(), { executionProviders: ['cuda'] })
  await probe.release()
} catch (error) {
  console.error(
    `[bench:gpu] the CUDA execution provider did not load: ${String(error).split('\n')[0]}\n` +
      '[bench:gpu] this needs an NVIDIA GPU, CUDA 12 + cuDNN 9 libraries, and the CUDA build of onnxruntime-node:\n' +
      '[bench:gpu]   pnpm --filter @edgeclip/gpu-backend setup:cuda',
  )
  process.exit(2)
}

const modelDir = values['model-dir'] ?? process.env.EDGECLIP_MODEL_DIR
const models = await gpuBenchModels(modelDir, values.variant as OnnxVariant, log)
const cuda = { executionProviders: ['cuda', 'cpu'] }
const MAX_TEXTS = 256
const MAX_IMAGES = 256
const text = new OnnxTextTower(await createNodeSession(models.text, cuda), models.textSpec, {
  maxBatchSize: MAX_TEXTS,
})
const image = new OnnxImageTower(await createNodeSession(models.image, cuda), models.imageSpec, {
  maxBatchSize: MAX_IMAGES,
})

/** Runs `work` until `seconds` pass (at least twice, at most `maxRuns`); median ms of the timed runs. */
async function timed(
  seconds: number,
  maxRuns: number,
  work: () => Promise<unknown>,
): Promise<number | undefined> {
  if (performance.now() > deadline) return undefined
  await work() // warm-up: CUDA picks kernels and allocates on the first run of a shape
  const times: number[] = []
  const stopAt = Math.min(deadline, performance.now() + seconds * 1000)
  while (times.length < maxRuns && (times.length < 2 || performance.now() < stopAt)) {
    const started = performance.now()
    await work()
    times.push(performance.now() - started)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]
}

const failures: Record<string, unknown>[] = []
/** `timed`, but a failing shape (e.g. CUDA out of memory) is recorded and skipped, not fatal. */
async function attempt(
  shape: Record<string, unknown>,
  work: () => Promise<unknown>,
): Promise<number | undefined | 'failed'> {
  try {
    return await timed(8, 200, work)
  } catch (error) {
    const message = String(error).split('\n')[0]
    log(`${JSON.stringify(shape)} failed: ${message}`)
    failures.push({ ...shape, error: message })
    return 'failed'
  }
}

const textFigures = []
const random = seededRandom(7)
const rows = models.textSpec.tokenizer.embeddingRows
for (const tokens of [16, 128, 512, 2048, 8192]) {
  if (tokens > models.textSpec.maxTokens) continue
  for (const batchSize of [1, 8, 32, 128]) {
    // Attention scores grow with tokens squared; past 128 k tokens per batch a shape adds nothing.
    if (batchSize * tokens > 131_072) continue
    const batch = Array.from({ length: batchSize }, () => syntheticIds(tokens, rows, random))
    const ms = await attempt({ tower: 'text', tokens, batchSize }, () => text.embed(batch))
    if (ms === undefined) break
    if (ms === 'failed') continue
    const row = {
      tokens,
      batchSize,
      msPerBatch: round(ms, 2),
      tokensPerSecond: perSecond(batchSize * tokens, ms),
    }
    log(`text ${JSON.stringify(row)}`)
    textFigures.push({ ...row, textsPerSecond: perSecond(batchSize, ms) })
  }
}

const imageFigures = []
const tensorLength = imageTensorLength(models.imageSpec.image)
for (const batchSize of [1, 8, 32, 64, 128, 256]) {
  const batch = Array.from({ length: batchSize }, () =>
    Float32Array.from({ length: tensorLength }, () => random()),
  )
  const ms = await attempt({ tower: 'image', batchSize }, () => image.embed(batch))
  if (ms === undefined) break
  if (ms === 'failed') continue
  const row = { batchSize, msPerBatch: round(ms, 2), imagesPerSecond: perSecond(batchSize, ms) }
  log(`image ${JSON.stringify(row)}`)
  imageFigures.push(row)
}

const best = <T extends Record<string, unknown>>(rows: T[], key: keyof T) =>
  rows.reduce<T | undefined>(
    (top, row) => (top && (top[key] as number) >= (row[key] as number) ? top : row),
    undefined,
  )
let endToEnd: object | undefined
if (performance.now() < deadline) {
  try {
    endToEnd = await imagesEndToEnd(models.imageSpec, image, 512)
    log(`images end to end ${JSON.stringify(endToEnd)}`)
  } catch (error) {
    failures.push({ stage: 'images end to end', error: String(error).split('\n')[0] })
  }
}

const result = {
  provider: 'cuda',
  variant: modelDir ? values.variant : 'fp32',
  models: models.describe,
  peak: {
    tokensPerSecond: best(textFigures, 'tokensPerSecond')?.tokensPerSecond,
    imagesPerSecond: best(imageFigures, 'imagesPerSecond')?.imagesPerSecond,
  },
  text: textFigures,
  image: imageFigures,
  imagesEndToEnd: endToEnd,
  failures,
  seconds: round((performance.now() - startedAt) / 1000),
  note: 'text/image: tower only (prepared inputs, no HTTP); imagesEndToEnd: JPEG decode + preprocess on worker threads, batched onto the tower',
}
await Promise.all([text.release(), image.release()])
await mkdir(dirname(outPath), { recursive: true })
await writeFile(outPath, `${JSON.stringify(result, null, 2)}\n`)
log(`wrote ${outPath}: ${JSON.stringify(result.peak)}`)
