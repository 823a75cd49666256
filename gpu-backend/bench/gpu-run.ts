// bench:gpu's measuring process, started by gpu.ts with the Vulkan environment already set (the
// loader path must be in place before the process starts). First proves which adapter WebGPU drives,
// then measures each provider × precision within its share of the time budget, then writes
// gpu-<card>.json and .md.
import { execFileSync } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { buildFixtureTextModel } from '@edgeclip/testkit'
import { createPlacedSession } from '../src/providers/ort-session'
import { inspectAdapter } from '../src/providers/vulkan'
import { type GroupPlan, type GroupResult, measureGroup } from './gpu-measure'
import { type GpuBenchResult, writeGpuReport } from './gpu-report'
import { writeBenchTowers } from './gpu-towers'
import { round } from './measure'

const { values } = parseArgs({
  options: {
    'dry-run': { type: 'boolean', default: false },
    'out-dir': { type: 'string' },
    'budget-seconds': { type: 'string' },
  },
})
const dryRun = values['dry-run']!
const log = (line: string) => console.error(`[bench:gpu] ${line}`)
const startedAt = performance.now()
const budgetSeconds = Number(values['budget-seconds'] ?? (dryRun ? 150 : 300))
const deadline = startedAt + budgetSeconds * 1000

// 1. Which adapter: a WebGPU session makes Dawn pick one; the process's open device nodes say which.
const probe = await createPlacedSession(buildFixtureTextModel(), { executionProviders: ['webgpu'] }).catch(
  (error: unknown) => {
    log(`no WebGPU session: ${String(error).split('\n')[0]}`)
    // The NVIDIA Vulkan driver is libGLX_nvidia.so.0 and its helpers, which a container only gets
    // with the driver's graphics capability.
    if (!dryRun)
      log('in a container, the NVIDIA Vulkan driver needs NVIDIA_DRIVER_CAPABILITIES to include graphics')
    process.exit(2)
  },
)
const adapter = inspectAdapter()
await probe.release()
log(`WebGPU adapter: ${adapter.description} (VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES ?? 'unset'})`)
if (!dryRun && adapter.kind !== 'gpu') {
  log(`the adapter is not a GPU (${adapter.description}): refusing to label its figures as GPU figures`)
  process.exit(2)
}
const card = dryRun
  ? 'lavapipe (Mesa software Vulkan on the CPU)'
  : (nvidiaSmi(['--query-gpu=name,memory.total,driver_version', '--format=csv,noheader']) ??
    adapter.description)
// nvidia-smi lists processes holding a context on the GPU: ours, if the GPU is really driven.
const listed = dryRun
  ? undefined
  : nvidiaSmi([])
      ?.split('\n')
      .some((line) => new RegExp(`\\b${process.pid}\\b`).test(line))

// 2. Towers, then groups in order of interest; each group gets an equal share of what is left.
const files = await writeBenchTowers(dryRun, log)
// The dry run swaps fp16 onto the CPU provider: lavapipe compiles fp16 shaders slowly (40 s for the
// tiny vision tower on a loaded 2-core box), and the point is that every file and path still runs.
const plans: Omit<GroupPlan, 'stopAt'>[] = dryRun
  ? [
      { provider: 'webgpu', precision: 'fp32', ...sweep(false) },
      { provider: 'cpu', precision: 'fp16', ...sweep(true) },
      { provider: 'cpu', precision: 'fp32', ...sweep(true) },
    ]
  : [
      { provider: 'webgpu', precision: 'fp16', ...sweep(false) },
      { provider: 'webgpu', precision: 'fp32', ...sweep(false) },
      { provider: 'cpu', precision: 'fp32', ...sweep(true) },
    ]
const groups: (GroupResult | { provider: string; precision: string; error: string })[] = []
for (const [index, plan] of plans.entries()) {
  // A dry run measures every (tiny) shape whatever the clock says: its point is that each one runs.
  const share = dryRun ? Number.POSITIVE_INFINITY : (deadline - performance.now()) / (plans.length - index)
  try {
    groups.push(await measureGroup({ ...plan, stopAt: performance.now() + share }, files, log))
  } catch (error) {
    const message = String(error).split('\n')[0]!
    log(`${plan.provider} ${plan.precision} failed: ${message}`)
    groups.push({ provider: plan.provider, precision: plan.precision, error: message })
  }
}

const result: GpuBenchResult = {
  kind: dryRun ? 'dry-run' : 'gpu',
  label: dryRun
    ? 'DRY RUN on lavapipe (software Vulkan on the CPU) with TINY towers: checks the script, NOT GPU figures'
    : `${card} through WebGPU (Dawn → Vulkan), full-size synthetic towers`,
  card,
  adapter,
  evidence: {
    vkIcdFilenames: process.env.VK_ICD_FILENAMES,
    deviceNode: adapter.description,
    ...(listed === undefined ? {} : { nvidiaSmiListsProcess: listed }),
  },
  host: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown' },
  towers: files.describe,
  measured:
    'tower only: core OnnxTextTower / OnnxImageTower over onnxruntime-node 1.30 sessions, prepared inputs, no HTTP; ' +
    'median ms of timed runs after one warm-up run per shape; cpu = the CPU provider on the same box',
  groups,
  seconds: round((performance.now() - startedAt) / 1000),
  budgetSeconds,
}
const written = await writeGpuReport(result, values['out-dir'])
if (dryRun) await rm(files.dir, { recursive: true, force: true })
log(`wrote ${written.join(', ')} in ${result.seconds} s`)

function sweep(cpu: boolean) {
  if (dryRun) return { tokens: [16], textBatches: [2], imageBatches: [2], shapeSeconds: 0.2 }
  return {
    tokens: [16, 128, 512],
    textBatches: [1, 32],
    imageBatches: [1, 8, 32, 64, 128, 256],
    shapeSeconds: cpu ? 2 : 3,
  }
}

function nvidiaSmi(args: string[]): string | undefined {
  try {
    return execFileSync('nvidia-smi', args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    }).trim()
  } catch {
    return undefined
  }
}
