// Issue 11.4: isolate memory the way Cloudflare counts it (JS heap + ArrayBuffers, WebAssembly
// memory included), per isolate, in workerd, on the shipped bundles: the three part Workers and
// the gateway. Concerns live apart: model-files.ts (what R2 and KV hold), shipped-bundles.ts
// (wrangler's dry-run output), workerd-host.ts (running workerd), inspector.ts and measure.ts
// (measuring), report.ts (edge-fit.{json,md}).
import { mkdir } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import {
  defaultGatewayConfig,
  WORKERS_EDGE_MAX_TOKENS_LIMIT,
  WORKERS_L1_CACHE_BYTES,
  WORKERS_MAX_BODY_BYTES,
} from '@edgeclip/gateway'
import { type Agreement, measureAgreement } from './agreement'
import { InspectorSession } from './inspector'
import { fillGatewayL1, maximumBody, type PhaseResult, partBatch } from './measure'
import { buildEdgeArtifact, EDGE_PARTS, readVocab, spec, uploadModelFiles } from './model-files'
import {
  type EdgeFitReport,
  ISOLATE_LIMIT_MIB,
  ISOLATE_TARGET_MIB,
  isolateRows,
  writeEdgeFitReport,
} from './report'
import { buildShippedBundles } from './shipped-bundles'
import { startWorkerd } from './workerd-host'

export interface EdgeFitOptions {
  quick: boolean
  /** Models, bundles and scratch files (gitignored). */
  workDir?: string
  /** Where edge-fit.json and edge-fit.md go. */
  resultsDir?: string
  log?: (message: string) => void
}

const repoRoot = resolve(import.meta.dirname, '../..')
/** Past the Workers maximum, measured last (WASM memory never shrinks) to show why it is the maximum. */
const OVER_MAXIMUM_TOKENS = 64

export async function runEdgeFit(options: EdgeFitOptions): Promise<EdgeFitReport> {
  const log = options.log ?? ((message: string) => console.error(`[edge-fit] ${message}`))
  const workDir = options.workDir ?? join(repoRoot, 'bench', 'results', 'tmp', 'edge-fit')
  await mkdir(workDir, { recursive: true })
  log('building the full-size synthetic JinaBERT and its 3-part edge build (cached)')
  const build = await buildEdgeArtifact(workDir)
  const vocab = await readVocab()
  log('bundling the gateway and the part Workers with `wrangler deploy --dry-run`')
  const bundles = await buildShippedBundles(join(workDir, 'bundles'))
  // The Workers gateway's config: the shared defaults with its own body limit.
  const config = { ...defaultGatewayConfig, maxBodyBytes: WORKERS_MAX_BODY_BYTES }
  // No backend: every text this bench sends is either cached or sent to the parts directly, and
  // the maximum body's long texts stop after parsing and tokenizing, which is what is measured.
  const host = await startWorkerd(bundles, {
    EDGECLIP_EDGE_MAX_TOKENS: String(config.edgeMaxTokens),
    BACKEND_URL: '',
  })
  const sessions = new Map<string, InspectorSession>()
  const phases: PhaseResult[] = []
  try {
    await uploadModelFiles(host, build.dir, vocab)
    for (const [name, url] of host.inspector) sessions.set(name, await InspectorSession.connect(url))
    log('part Workers: first request (session creation, then the table on part 0)')
    phases.push(await partBatch(host, build, sessions, 'first request: session + table load', 1, 3))
    const batches = [
      { label: 'largest batch at the defaults', tokens: config.edgeMaxTokens },
      { label: 'largest batch at the maximum threshold', tokens: WORKERS_EDGE_MAX_TOKENS_LIMIT },
    ]
    for (const { label, tokens } of batches) {
      log(`part Workers: ${config.edgeBatchSize}×${tokens}`)
      phases.push(await partBatch(host, build, sessions, label, config.edgeBatchSize, tokens))
    }
    const rowBytes = spec.dimensions * 4
    // A few more than fit, so the LRU is at its byte limit, evicting.
    const entries = Math.ceil((WORKERS_L1_CACHE_BYTES / rowBytes) * 1.05)
    log(`gateway: filling its ${WORKERS_L1_CACHE_BYTES / 2 ** 20} MiB L1 with ${entries} cached rows`)
    phases.push(await fillGatewayL1(host, build, sessions, vocab, entries))
    log(`gateway: a ${config.maxBodyBytes / 2 ** 20} MiB body with its L1 full`)
    phases.push(await maximumBody(host, sessions, config.maxBodyBytes, config.maxInputs))
    log(`part Workers: ${config.edgeBatchSize}×${OVER_MAXIMUM_TOKENS}, over the maximum threshold`)
    phases.push(
      await partBatch(
        host,
        build,
        sessions,
        'over the maximum (refused by the Workers config)',
        config.edgeBatchSize,
        OVER_MAXIMUM_TOKENS,
      ),
    )
  } finally {
    for (const session of sessions.values()) session.close()
    await host.dispose()
  }
  let agreement: Agreement[] = []
  if (!options.quick) {
    log('measuring agreement with fp32 (onnxruntime-node)')
    agreement = await measureAgreement(
      build.fp32Path,
      [],
      [{ variant: `edge-int8-${EDGE_PARTS}`, dir: build.dir }],
    )
  }
  const report: EdgeFitReport = {
    isolateLimitMiB: ISOLATE_LIMIT_MIB,
    isolateTargetMiB: ISOLATE_TARGET_MIB,
    measuredWith:
      'Every figure is measured in workerd (Miniflare) on the `wrangler deploy --dry-run` bundles, through the V8 inspector: a heap snapshot (after its GC) sums the "system / JSArrayBufferData" backing stores (ArrayBuffers and WebAssembly.Memory), added to Runtime.getHeapUsage usedSize. Each isolate is sampled over and over while a phase runs; a sample waits for the isolate to pause at an await, so a peak inside one synchronous stretch (ONNX Runtime building a session) shows only through WebAssembly.Memory, which never shrinks.',
    model: `full-size synthetic JinaBERT (12 layers, 768 wide, 30528 rows; packages/testkit) split by build-edge's buildEdgeModel into ${EDGE_PARTS} int8 parts of ${build.partBytes.map((bytes) => (bytes / 2 ** 20).toFixed(1)).join(' / ')} MiB and a ${(build.tableBytes / 2 ** 20).toFixed(1)} MiB embedding table`,
    machine: {
      loadAverage: loadavg()
        .map((value) => value.toFixed(2))
        .join(' '),
    },
    gatewayConfig: {
      edgeBatchSize: config.edgeBatchSize,
      edgeMaxTokens: config.edgeMaxTokens,
      edgeMaxTokensLimit: WORKERS_EDGE_MAX_TOKENS_LIMIT,
      maxInputs: config.maxInputs,
      maxBodyBytes: config.maxBodyBytes,
      l1CacheBytes: WORKERS_L1_CACHE_BYTES,
    },
    isolates: isolateRows(phases),
    agreement,
  }
  await writeEdgeFitReport(options.resultsDir ?? join(repoRoot, 'bench', 'results'), report)
  return report
}
