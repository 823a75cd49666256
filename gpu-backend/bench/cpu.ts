// Backend throughput on this machine's CPU: batched vs one-by-one, images/s, texts/s by length,
// padding with and without length grouping, and the batch wait's effect. Returns figures and writes
// nothing (`pnpm bench` records them). `syntheticTextModel`: path of a full-size text tower (e.g. the
// synthetic JinaBERT) to measure texts/s on a real-sized graph as well as on the fixture.
import { availableParallelism, cpus, loadavg } from 'node:os'
import type { BackendItem, TextTower } from '@edgeclip/core'
import { SharpImageDecoder } from '@edgeclip/core/node'
import sharp from 'sharp'
import { BatchQueue } from '../src/batching'
import { defaultBatching } from '../src/config'
import { BatchEmbedder, type BatchEmbedderOptions, ImageWorkerPool } from '../src/inference'
import { type BenchTowers, fileTextTower, fixtureTowers } from './bench-towers'
import { fifoPadding, medianMs, mixedLengths, perSecond, round, seededRandom, syntheticIds } from './measure'

export interface BackendCpuBenchOptions {
  quick: boolean
  syntheticTextModel?: string
  log?: (message: string) => void
}

const TEXT_LENGTHS = [16, 128, 512, 2048]
const TOKEN_BUDGET = defaultBatching.text.maxBatchTokens
const MAX_BATCH = 64

export async function runBackendCpuBench(options: BackendCpuBenchOptions): Promise<object> {
  const log = options.log ?? (() => {})
  const repeats = options.quick ? 3 : 7
  const cpu = ['cpu']
  const fixture = await fixtureTowers(cpu, MAX_BATCH)
  try {
    log('backend-cpu: fixture texts by length')
    const textsByLength = await textsAtLengths(fixture, TEXT_LENGTHS, repeats)
    log('backend-cpu: batched vs one-by-one')
    const images = await noiseImages(options.quick ? 16 : 48)
    const oneByOne = await batchedVsOneByOne(fixture, images, options.quick ? 32 : 128)
    log('backend-cpu: images/s')
    const imagesPerSecond = await imageThroughput(fixture, images, repeats)
    log('backend-cpu: padding with and without length grouping')
    const padding = await paddingWaste(fixture.text, options.quick ? 96 : 384)
    log('backend-cpu: batch wait')
    const batchWait = await batchWaitSweep(
      fixture,
      options.quick ? [0, 5, 20] : [0, 2, 5, 10, 20],
      options.quick,
    )
    const synthetic = options.syntheticTextModel
      ? await syntheticFigures(options.syntheticTextModel, options.quick, log)
      : { skipped: 'no syntheticTextModel path given' }
    return {
      // Load average says how much other work shared the CPU: figures from a busy machine run low.
      machine: {
        cpu: cpus()[0]?.model ?? 'unknown',
        threads: availableParallelism(),
        loadAverage: loadavg().map((value) => round(value, 2)),
      },
      provider: 'cpu',
      mode: options.quick ? 'quick' : 'full',
      fixture: { textsByLength, batchedVsOneByOne: oneByOne, imagesPerSecond, padding, batchWait },
      synthetic,
      notes: [
        'fixture towers are tiny (embedding + pooling, a small vision graph): their figures measure the service path and batching overhead, not model compute',
        'synthetic: full-size JinaBERT-shaped text tower (12 layers, 768 wide), random weights: speed depends on shape only',
      ],
    }
  } finally {
    await fixture.release()
  }
}

/** Texts/s and tokens/s at each length, batches filling the token budget (at most MAX_BATCH). */
async function textsAtLengths(
  towers: BenchTowers,
  lengths: readonly number[],
  repeats: number,
  tokenBudget: number = TOKEN_BUDGET,
) {
  const random = seededRandom(1)
  const rows = towers.spec.tokenizer.embeddingRows
  const results = []
  for (const length of lengths) {
    const batchSize = Math.max(1, Math.min(MAX_BATCH, Math.floor(tokenBudget / length)))
    const batch = Array.from({ length: batchSize }, () => syntheticIds(length, rows, random))
    const ms = await medianMs(repeats, () => towers.text.embed(batch))
    results.push({
      tokens: length,
      batchSize,
      textsPerSecond: perSecond(batchSize, ms),
      tokensPerSecond: perSecond(batchSize * length, ms),
      msPerBatch: round(ms, 2),
    })
  }
  return results
}

function embedderFor(towers: BenchTowers, maxWaitMs: number = defaultBatching.text.maxWaitMs): BatchEmbedder {
  return new BatchEmbedder(embedderOptions(towers, maxWaitMs))
}

function embedderOptions(towers: BenchTowers, maxWaitMs: number): BatchEmbedderOptions {
  return {
    spec: towers.spec,
    textTower: towers.text,
    imageTower: towers.image,
    decoder: new SharpImageDecoder(),
    text: { ...defaultBatching.text, maxWaitMs },
    image: { ...defaultBatching.image, maxWaitMs },
    maxQueuedTexts: 100_000,
    maxQueuedImages: 100_000,
  }
}

/** Items one request at a time vs all at once through the service's batcher (no HTTP). */
async function batchedVsOneByOne(towers: BenchTowers, images: Uint8Array[], textCount: number) {
  const random = seededRandom(2)
  const rows = towers.spec.tokenizer.embeddingRows
  const texts: BackendItem[] = Array.from({ length: textCount }, () => ({
    kind: 'text',
    ids: syntheticIds(128, rows, random),
  }))
  const imageItems: BackendItem[] = images.map((bytes) => ({ kind: 'image', bytes }))
  const compare = async (items: BackendItem[]) => {
    const embedder = embedderFor(towers)
    const sequential = await medianMs(1, async () => {
      for (const item of items) await embedder.embed([item])
    })
    const concurrent = await medianMs(1, () => Promise.all(items.map((item) => embedder.embed([item]))))
    return {
      items: items.length,
      oneByOnePerSecond: perSecond(items.length, sequential),
      batchedPerSecond: perSecond(items.length, concurrent),
      speedup: round(sequential / concurrent, 2),
    }
  }
  return { texts128Tokens: await compare(texts), images: await compare(imageItems) }
}

async function imageThroughput(towers: BenchTowers, images: Uint8Array[], repeats: number) {
  const decoder = new SharpImageDecoder()
  const { preprocessImage } = await import('@edgeclip/core')
  const tensors = await Promise.all(
    images.map(async (bytes) => preprocessImage(await decoder.decode(bytes), towers.spec.image)),
  )
  const batch = tensors.slice(0, defaultBatching.image.maxBatchSize)
  const towerMs = await medianMs(repeats, () => towers.image!.embed(batch))
  const embedder = embedderFor(towers)
  const items: BackendItem[] = images.map((bytes) => ({ kind: 'image', bytes }))
  const serviceMs = await medianMs(1, () => embedder.embed(items))
  const threads = Math.max(1, availableParallelism() - 1)
  const pool = new ImageWorkerPool({ threads, spec: towers.spec.image, maxPixels: 50_000_000 })
  const pooled = new BatchEmbedder({
    ...embedderOptions(towers, defaultBatching.image.maxWaitMs),
    prepareImage: (bytes) => pool.prepare(bytes),
  })
  const pooledMs = await medianMs(1, () => pooled.embed(items)).finally(() => pool.close())
  const decodeMs = await medianMs(1, () =>
    Promise.all(images.map(async (bytes) => preprocessImage(await decoder.decode(bytes), towers.spec.image))),
  )
  return {
    towerOnly: { batchSize: batch.length, imagesPerSecond: perSecond(batch.length, towerMs) },
    decodeAndPreprocess: { imagesPerSecond: perSecond(images.length, decodeMs), sourceSize: '640x480 PNG' },
    endToEnd: { imagesPerSecond: perSecond(items.length, serviceMs) },
    endToEndWorkerPool: { threads, imagesPerSecond: perSecond(items.length, pooledMs) },
  }
}

/** A mixed-length workload (16..2048 tokens) through the batcher, grouped by length or FIFO. */
async function paddingWaste(tower: TextTower, count: number) {
  const lengths = mixedLengths(count, 16, 2048, 3)
  const random = seededRandom(4)
  const inputs = lengths.map((length) => syntheticIds(length, 512, random))
  const run = async (grouped: boolean) => {
    let padded = 0
    let useful = 0
    const queue = new BatchQueue<readonly number[], Float32Array>({
      run: (batch) => {
        padded += Math.max(...batch.map((ids) => ids.length)) * batch.length
        useful += batch.reduce((sum, ids) => sum + ids.length, 0)
        return tower.embed(batch)
      },
      maxBatchSize: defaultBatching.text.maxBatchSize,
      maxWaitMs: 0,
      maxQueuedItems: count,
      ...(grouped ? { lengthOf: (ids: readonly number[]) => ids.length, maxBatchTokens: TOKEN_BUDGET } : {}),
    })
    const started = performance.now()
    await Promise.all(queue.enqueue(inputs))
    const ms = performance.now() - started
    return {
      paddedTokens: padded,
      usefulTokens: useful,
      wastedShare: round(1 - useful / padded, 3),
      textsPerSecond: perSecond(count, ms),
    }
  }
  const fifo = fifoPadding(lengths, defaultBatching.text.maxBatchSize)
  return {
    texts: count,
    lengths: '16..2048 tokens, log-uniform, seeded',
    withoutGrouping: await run(false),
    withGrouping: await run(true),
    fifoPaddedTokensComputed: fifo.padded,
  }
}

/** 16 clients each sending single-text requests back to back, per batch wait. */
async function batchWaitSweep(towers: BenchTowers, waits: readonly number[], quick: boolean) {
  const random = seededRandom(5)
  const rows = towers.spec.tokenizer.embeddingRows
  const perClient = quick ? 8 : 32
  const clients = 16
  const results = []
  for (const maxWaitMs of waits) {
    const embedder = embedderFor(towers, maxWaitMs)
    const latencies: number[] = []
    const started = performance.now()
    await Promise.all(
      Array.from({ length: clients }, async () => {
        for (let request = 0; request < perClient; request++) {
          const sent = performance.now()
          await embedder.embed([{ kind: 'text', ids: syntheticIds(128, rows, random) }])
          latencies.push(performance.now() - sent)
        }
      }),
    )
    const ms = performance.now() - started
    latencies.sort((a, b) => a - b)
    results.push({
      maxWaitMs,
      requestsPerSecond: perSecond(clients * perClient, ms),
      p50Ms: round(latencies[Math.floor(latencies.length / 2)]!, 2),
      p95Ms: round(latencies[Math.floor(latencies.length * 0.95)]!, 2),
    })
  }
  return { clients, textTokens: 128, results }
}

async function syntheticFigures(path: string, quick: boolean, log: (message: string) => void) {
  log(`backend-cpu: full-size text tower ${path}`)
  const towers = await fileTextTower(path, ['cpu'], MAX_BATCH)
  try {
    // A full-size forward pass costs seconds per thousand tokens on a small CPU: smaller batches.
    const budget = quick ? 2048 : 8192
    const textsByLength = await textsAtLengths(towers, TEXT_LENGTHS, quick ? 1 : 3, budget)
    log('backend-cpu: full-size tower, batched vs one-by-one')
    const random = seededRandom(8)
    const texts = Array.from({ length: quick ? 8 : 32 }, () =>
      syntheticIds(128, towers.spec.tokenizer.vocabSize, random),
    )
    const oneByOneMs = await medianMs(1, async () => {
      for (const ids of texts) await towers.text.embed([ids])
    })
    const batchedMs = await medianMs(1, () => towers.text.embed(texts))
    return {
      model: path,
      tokenBudget: budget,
      textsByLength,
      batchedVsOneByOne: {
        texts: texts.length,
        tokens: 128,
        oneByOnePerSecond: perSecond(texts.length, oneByOneMs),
        batchedPerSecond: perSecond(texts.length, batchedMs),
        speedup: round(oneByOneMs / batchedMs, 2),
      },
    }
  } finally {
    await towers.release()
  }
}

async function noiseImages(count: number): Promise<Uint8Array[]> {
  const random = seededRandom(6)
  const width = 640
  const height = 480
  return Promise.all(
    Array.from({ length: count }, async () => {
      const pixels = Buffer.alloc(width * height * 3)
      for (let index = 0; index < pixels.length; index++) pixels[index] = Math.floor(random() * 256)
      return new Uint8Array(
        await sharp(pixels, { raw: { width, height, channels: 3 } })
          .png()
          .toBuffer(),
      )
    }),
  )
}
