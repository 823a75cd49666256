// bench:gpu's dry run: the whole script (launcher, Vulkan environment, adapter check, towers, every
// provider group, report files) on lavapipe with tiny towers, so it cannot rot between GPU runs.
// Without a usable lavapipe it skips saying why; under CI=true that is a failure instead.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { GroupResult } from '../bench/gpu-measure'
import { type GpuBenchResult, writeGpuReport } from '../bench/gpu-report'
import { lavapipeEnv } from '../src/providers/vulkan-env'

const packageDir = join(import.meta.dirname, '..')
const lavapipe = lavapipeEnv()
const missing = 'missing' in lavapipe ? lavapipe.missing : undefined
if (missing) {
  if (process.env.CI === 'true')
    throw new Error(`CI=true needs lavapipe for the bench:gpu dry run: ${missing}`)
  console.warn(`skipping the bench:gpu dry run: ${missing}`)
}

const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))))

describe.skipIf(missing !== undefined)('bench:gpu --dry-run', () => {
  it('runs every group on tiny towers and writes labelled JSON and Markdown', {
    timeout: 240_000,
  }, async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'bench-gpu-dry-'))
    dirs.push(outDir)
    const child = spawn(
      join(packageDir, 'node_modules', '.bin', 'tsx'),
      ['bench/gpu.ts', '--dry-run', '--out-dir', outDir],
      { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    const [code] = await once(child, 'exit')
    expect(code, output).toBe(0)

    const result = JSON.parse(
      await readFile(join(outDir, 'gpu-dry-run-lavapipe.json'), 'utf8'),
    ) as GpuBenchResult
    expect(result.kind).toBe('dry-run')
    expect(result.label).toContain('NOT GPU figures')
    expect(result.adapter.kind).toBe('software')
    expect(result.towers.image).toMatch(/^TINY synthetic EVA02/)
    const groups = result.groups as GroupResult[]
    expect(groups.map((group) => `${group.provider} ${group.precision}`)).toEqual([
      'webgpu fp32',
      'cpu fp16',
      'cpu fp32',
    ])
    for (const group of groups) {
      expect(group.text.length, JSON.stringify(group)).toBe(1)
      expect(group.image.length, JSON.stringify(group)).toBe(1)
      expect(group.text[0]!.tokensPerSecond).toBeGreaterThan(0)
      expect(group.image[0]!.imagesPerSecond).toBeGreaterThan(0)
    }
    expect(groups[0]!.placement.text?.cpuNodes).toMatchObject({ Equal: 1 })
    const markdown = await readFile(join(outDir, 'gpu-dry-run-lavapipe.md'), 'utf8')
    expect(markdown).toMatch(/^# bench:gpu: DRY RUN on lavapipe/)
    expect(markdown).toContain('| batch 2 |')
  })
})

describe('bench:gpu report', () => {
  it('names the files after the card and puts each provider × precision in its own column', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'bench-gpu-report-'))
    dirs.push(outDir)
    const group = (
      provider: 'webgpu' | 'cpu',
      precision: 'fp16' | 'fp32',
      imagesPerSecond: number,
    ): GroupResult => ({
      provider,
      precision,
      placement: { text: { cpuNodes: { Equal: 1 }, copiesPerRun: 3, gpuNodes: 200 } },
      text: [{ tokens: 512, batchSize: 32, runs: 5, msPerBatch: 10, tokensPerSecond: 1_638_400 }],
      image: [{ batchSize: 256, runs: 3, msPerBatch: 100, imagesPerSecond }],
      skipped: provider === 'cpu' ? ['image × 256: would overrun the time share'] : [],
    })
    const written = await writeGpuReport(
      {
        kind: 'gpu',
        label: 'NVIDIA H100 80GB HBM3 through WebGPU (Dawn → Vulkan), full-size synthetic towers',
        card: 'NVIDIA H100 80GB HBM3, 81559 MiB, 550.54.15',
        adapter: { kind: 'gpu', description: 'NVIDIA H100 80GB HBM3 (/dev/nvidia0)' },
        evidence: {},
        host: { cpus: 16, cpuModel: 'test CPU' },
        towers: { text: 'synthetic JinaBERT', image: 'synthetic EVA02' },
        measured: 'tower only',
        groups: [
          group('webgpu', 'fp16', 2560),
          group('cpu', 'fp32', 25),
          { provider: 'webgpu', precision: 'fp32', error: 'lost' },
        ],
        seconds: 290,
        budgetSeconds: 300,
      },
      outDir,
    )
    expect(written.map((path) => path.slice(outDir.length + 1))).toEqual([
      'gpu-nvidia-h100-80gb-hbm3.json',
      'gpu-nvidia-h100-80gb-hbm3.md',
    ])
    const markdown = await readFile(written[1]!, 'utf8')
    expect(markdown).toContain('| shape | webgpu fp16 | cpu fp32 |')
    expect(markdown).toContain('| batch 256 | 2560 (100 ms) | 25 (100 ms) |')
    expect(markdown).toContain('- webgpu fp16 text: CPU fallback Equal x1; 3 host↔GPU copy nodes per run')
    expect(markdown).toContain('- webgpu fp32 failed: lost')
    expect(markdown).toContain('- cpu fp32 skipped image × 256: would overrun the time share')
  })
})
