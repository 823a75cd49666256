// Issue 6.3d: peak memory of loading and running each text-tower variant inside workerd against
// the 128 MB isolate limit, and the cost of the hop when the encoder is split across Workers.
import { createReadStream } from 'node:fs'
import { mkdir, stat, writeFile } from 'node:fs/promises'
import { join, normalize, resolve } from 'node:path'
import { encodeTensorBundle } from '@edgeclip/edge-model'
import { readEdgeManifest } from '@edgeclip/edge-model/node'
import { buildFixtureTextModel, startHttpServer, writeSyntheticJinaBert } from '@edgeclip/testkit'
import { type Agreement, measureAgreement } from './agreement'
import { startWorkerd, type WorkerSpec } from './workerd-host'

export const ISOLATE_LIMIT_BYTES = 128 * 2 ** 20
const MiB = 2 ** 20
const WIDTH = 768

export interface EdgeFitOptions {
  quick: boolean
  /** Models and scratch files (gitignored). */
  workDir?: string
  /** Where edge-fit.json and edge-fit.md go. */
  resultsDir?: string
  log?: (message: string) => void
}

export interface PartMemory {
  variant: string
  part: string
  fileMiB: number
  baselineMiB: number
  loadedMiB: number
  peakMiB: number
  /** RSS after the embeddings and a full GC, above idle: transient load copies gone. */
  settledDeltaMiB: number
  /** Peak workerd RSS above the idle isolate: what the model costs. */
  peakDeltaMiB: number
  wasmHeapMiB: number
  /**
   * What the isolate holds at its worst: the WASM heap plus the model bytes the script holds while
   * the session is created (every part file, conservatively). RSS also counts workerd's own buffers.
   */
  isolatePeakMiB: number
  /** After load: the WASM heap plus the resident int8 embedding table (first part only). */
  isolateSettledMiB: number
  loadMs: number
  embedMs64: number
  fits: boolean
}

export interface HopFigure {
  parts: number
  tokens: number
  oneWorkerMs: number
  chainedMs: number
  hopMs: number
}

const repoRoot = resolve(import.meta.dirname, '../..')
/** [CLS] ... [SEP] with ids spread over the vocabulary (`rows` of it). */
const idsBundle = (tokens: number, rows = 30_522) => {
  const ids = BigInt64Array.from({ length: tokens }, (_, index) =>
    index === 0 ? 101n : index === tokens - 1 ? 102n : BigInt(110 + ((index * 7919) % (rows - 110))),
  )
  return { input_ids: { type: 'int64' as const, data: ids, dims: [1, tokens] } }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

const round = (value: number) => Math.round(value * 10) / 10

async function serveDir(root: string) {
  return startHttpServer((request, response) => {
    const path = normalize(join(root, decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)))
    if (!path.startsWith(root)) {
      response.writeHead(403).end()
      return
    }
    const stream = createReadStream(path)
    stream.on('error', () => response.writeHead(404).end())
    stream.on('open', () => stream.pipe(response))
  })
}

async function timeEmbed(send: () => Promise<Response>, runs: number): Promise<number> {
  const times: number[] = []
  for (let run = 0; run < runs; run++) {
    const started = performance.now()
    const response = await send()
    if (!response.ok) throw new Error(`embed failed: ${response.status} ${await response.text()}`)
    await response.arrayBuffer()
    times.push(performance.now() - started)
  }
  return median(times)
}

/** One model (or one part) alone in a fresh workerd process. */
async function measurePart(
  modelUrl: string,
  variant: string,
  part: string,
  model: string,
  fileBytes: number,
  heldBytes: { peak: number; settled: number },
  feeds: Parameters<typeof encodeTensorBundle>[0],
  runs: number,
): Promise<PartMemory> {
  const host = await startWorkerd([{ name: 'part', model }], modelUrl)
  try {
    await (await host.fetch('part', '/ping')).json()
    const baseline = (await host.memory()).rss
    const load = (await (await host.fetch('part', '/load')).json()) as { loadMs: number }
    const loaded = (await host.memory()).rss
    const body = encodeTensorBundle(feeds)
    await timeEmbed(() => host.fetch('part', '/embed', body), 1)
    const embedMs64 = await timeEmbed(() => host.fetch('part', '/embed', body), runs)
    const { wasmBytes } = (await (await host.fetch('part', '/ping')).json()) as { wasmBytes: number }
    const { peak } = await host.memory()
    const { collected } = (await (await host.fetch('part', '/gc')).json()) as { collected: boolean }
    if (!collected) throw new Error('workerd did not expose gc()')
    const settled = (await host.memory()).rss
    return {
      variant,
      part,
      fileMiB: round(fileBytes / MiB),
      baselineMiB: round(baseline / MiB),
      loadedMiB: round(loaded / MiB),
      peakMiB: round(peak / MiB),
      peakDeltaMiB: round((peak - baseline) / MiB),
      settledDeltaMiB: round((settled - baseline) / MiB),
      wasmHeapMiB: round(wasmBytes / MiB),
      loadMs: load.loadMs,
      embedMs64: round(embedMs64),
      isolatePeakMiB: round((wasmBytes + heldBytes.peak) / MiB),
      isolateSettledMiB: round((wasmBytes + heldBytes.settled) / MiB),
      fits: wasmBytes + heldBytes.peak < ISOLATE_LIMIT_BYTES,
    }
  } finally {
    await host.dispose()
  }
}

async function sizeOfFiles(root: string, files: string[]): Promise<number> {
  let total = 0
  for (const file of files) total += (await stat(join(root, file))).size
  return total
}

export async function runEdgeFit(
  options: EdgeFitOptions,
): Promise<{ parts: PartMemory[]; hops: HopFigure[]; agreement: Agreement[] }> {
  const log = options.log ?? ((message: string) => console.error(`[edge-fit] ${message}`))
  const workDir = options.workDir ?? join(repoRoot, 'bench', 'results', 'tmp', 'edge-fit')
  await mkdir(workDir, { recursive: true })
  const runs = options.quick ? 5 : 9
  log('building the synthetic JinaBERT variants (cached)')
  const fp32 = await writeSyntheticJinaBert(join(workDir, 'fp32.onnx'))
  // ONNX Runtime itself (compiled wasm, glue, arena) with the 1.5 MB fixture model: what any model pays.
  const runtimePath = join(workDir, 'runtime-fixture.onnx')
  await writeFile(runtimePath, buildFixtureTextModel())
  const single = [
    { variant: 'runtime only (fixture model)', path: runtimePath, bytes: (await stat(runtimePath)).size },
    ...(options.quick ? [] : [{ variant: 'fp32', ...fp32 }]),
    { variant: 'int8', ...(await writeSyntheticJinaBert(join(workDir, 'int8.onnx'), { variant: 'int8' })) },
    { variant: 'q4', ...(await writeSyntheticJinaBert(join(workDir, 'q4.onnx'), { variant: 'q4' })) },
  ]
  const splits = options.quick ? [1, 2] : [1, 2, 3]
  const edges = []
  for (const parts of splits) {
    const dir = `edge-${parts}`
    await writeSyntheticJinaBert(join(workDir, dir), { variant: 'edge', parts })
    edges.push({ parts, dir })
  }
  const server = await serveDir(workDir)
  const results: PartMemory[] = []
  const hops: HopFigure[] = []
  try {
    for (const model of single) {
      log(`measuring ${model.variant} (one file, ${round(model.bytes / MiB)} MiB)`)
      const file = model.path.slice(workDir.length + 1)
      results.push(
        await measurePart(
          server.url,
          model.variant,
          'whole',
          `single:${file}`,
          model.bytes,
          { peak: model.bytes, settled: 0 },
          idsBundle(64, model.path === runtimePath ? 512 : undefined),
          runs,
        ),
      )
    }
    for (const { parts, dir } of edges) {
      const manifest = await readEdgeManifest(join(workDir, dir))
      for (const [index, part] of manifest.parts.entries()) {
        log(`measuring edge int8, ${parts} part(s): part ${index}`)
        const hiddenInput = part.inputs.find(
          (name) => name !== manifest.idsInput && name !== manifest.embedsInput,
        )
        const feeds = hiddenInput
          ? {
              ...idsBundle(64),
              [hiddenInput]: {
                type: 'float32' as const,
                data: new Float32Array(64 * WIDTH).fill(0.01),
                dims: [1, 64, WIDTH],
              },
            }
          : idsBundle(64)
        const files = [part.file, part.data, ...(index === 0 ? [manifest.table.file] : [])]
        const bytes = await sizeOfFiles(join(workDir, dir), files)
        // The worker creates the session before fetching the table, so the two never coexist.
        const sessionBytes = await sizeOfFiles(join(workDir, dir), [part.file, part.data])
        const tableBytes = index === 0 ? manifest.table.bytes : 0
        results.push(
          await measurePart(
            server.url,
            `edge-int8-${parts}`,
            `${index + 1}/${parts}`,
            `edge:${dir}:${index}`,
            bytes,
            { peak: Math.max(sessionBytes, tableBytes), settled: tableBytes },
            feeds,
            runs,
          ),
        )
      }
      if (parts > 1) hops.push(...(await measureHops(server.url, dir, parts, runs, log)))
    }
  } finally {
    await server.close()
  }
  log('measuring agreement with fp32')
  const agreement = await measureAgreement(
    fp32.path,
    single.filter((model) => model.variant === 'int8' || model.variant === 'q4'),
    edges.map(({ parts, dir }) => ({ variant: `edge-int8-${parts}`, dir: join(workDir, dir) })),
  )
  const report = { isolateLimitMiB: ISOLATE_LIMIT_BYTES / MiB, parts: results, hops, agreement }
  const resultsDir = options.resultsDir ?? join(repoRoot, 'bench', 'results')
  await mkdir(resultsDir, { recursive: true })
  await writeFile(join(resultsDir, 'edge-fit.json'), `${JSON.stringify(report, null, 2)}\n`)
  await writeFile(join(resultsDir, 'edge-fit.md'), edgeFitMarkdown(results, hops, agreement))
  return { parts: results, hops, agreement }
}

/** The chain of Workers (service bindings) against one Worker holding every part. */
async function measureHops(
  modelUrl: string,
  dir: string,
  parts: number,
  runs: number,
  log: (m: string) => void,
) {
  log(`measuring the hop cost over ${parts} chained Workers`)
  const chain: WorkerSpec[] = Array.from({ length: parts }, (_, index) => ({
    name: `part${index}`,
    model: `edge:${dir}:${index}`,
    ...(index + 1 < parts ? { next: `part${index + 1}` } : {}),
  }))
  const figures: HopFigure[] = []
  const chained = await startWorkerd(chain, modelUrl)
  const whole = await startWorkerd([{ name: 'whole', model: `edge:edge-1:0` }], modelUrl)
  try {
    for (const worker of chain) await (await chained.fetch(worker.name, '/load')).arrayBuffer()
    await (await whole.fetch('whole', '/load')).arrayBuffer()
    for (const tokens of [8, 16, 32, 64]) {
      const body = encodeTensorBundle(idsBundle(tokens))
      const sendChained = () => chained.fetch('part0', '/embed', body)
      const sendWhole = () => whole.fetch('whole', '/embed', body)
      // Warm both, then alternate, so load from other processes on this machine hits both alike.
      await timeEmbed(sendChained, 1)
      await timeEmbed(sendWhole, 1)
      const chainedTimes: number[] = []
      const wholeTimes: number[] = []
      for (let run = 0; run < runs; run++) {
        chainedTimes.push(await timeEmbed(sendChained, 1))
        wholeTimes.push(await timeEmbed(sendWhole, 1))
      }
      const chainedMs = median(chainedTimes)
      const oneWorkerMs = median(wholeTimes)
      figures.push({
        parts,
        tokens,
        oneWorkerMs: round(oneWorkerMs),
        chainedMs: round(chainedMs),
        hopMs: round((chainedMs - oneWorkerMs) / (parts - 1)),
      })
    }
  } finally {
    await chained.dispose()
    await whole.dispose()
  }
  return figures
}

export function edgeFitMarkdown(
  parts: readonly PartMemory[],
  hops: readonly HopFigure[],
  agreement: readonly Agreement[],
): string {
  const lines = [
    '## Edge fit: text tower inside workerd (128 MiB isolate limit)',
    '',
    '| variant | part | files MiB | workerd RSS idle | after load | peak | peak − idle | after GC − idle | WASM heap | isolate peak | isolate settled | load ms | embed ms @64 | fits |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...parts.map(
      (row) =>
        `| ${row.variant} | ${row.part} | ${row.fileMiB} | ${row.baselineMiB} | ${row.loadedMiB} | ${row.peakMiB} | ${row.peakDeltaMiB} | ${row.settledDeltaMiB} | ${row.wasmHeapMiB} | ${row.isolatePeakMiB} | ${row.isolateSettledMiB} | ${row.loadMs} | ${row.embedMs64} | ${row.fits ? 'yes' : 'no'} |`,
    ),
    '',
    '| parts | tokens | one Worker ms | chained Workers ms | per hop ms |',
    '|---|---|---|---|---|',
    ...hops.map(
      (hop) => `| ${hop.parts} | ${hop.tokens} | ${hop.oneWorkerMs} | ${hop.chainedMs} | ${hop.hopMs} |`,
    ),
    '',
    '| variant (onnxruntime-web) | cosine vs fp32, min | mean |',
    '|---|---|---|',
    ...agreement.map((row) => `| ${row.variant} | ${row.minCosine} | ${row.meanCosine} |`),
    '',
  ]
  return `${lines.join('\n')}\n`
}
