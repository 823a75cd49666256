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
import type { GpuBenchResult } from '../bench/gpu-report'
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
