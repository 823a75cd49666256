// bench:gpu's result files: the JSON as measured, and a Markdown table per tower with one column
// per provider × precision, headed by what was measured on what (and, for a dry run, that its
// figures are not GPU figures).
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { describePlacement } from '../src/providers/placement'
import type { AdapterEvidence } from '../src/providers/vulkan'
import type { GroupResult } from './gpu-measure'

export interface GpuBenchResult {
  kind: 'gpu' | 'dry-run'
  label: string
  card: string
  adapter: AdapterEvidence
  evidence: Record<string, unknown>
  host: { cpus: number; cpuModel: string }
  towers: { text: string; image: string }
  measured: string
  groups: (GroupResult | { provider: string; precision: string; error: string })[]
  seconds: number
  budgetSeconds: number
}

const RESULTS_DIR = resolve(import.meta.dirname, '../../bench/results')

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40)
}

export async function writeGpuReport(result: GpuBenchResult, outDir = RESULTS_DIR): Promise<string[]> {
  const name = result.kind === 'dry-run' ? 'gpu-dry-run-lavapipe' : `gpu-${slug(result.card.split(',')[0]!)}`
  await mkdir(outDir, { recursive: true })
  const json = join(outDir, `${name}.json`)
  const md = join(outDir, `${name}.md`)
  await writeFile(json, `${JSON.stringify(result, null, 2)}\n`)
  await writeFile(md, markdown(result))
  return [json, md]
}

function markdown(result: GpuBenchResult): string {
  const measured = result.groups.filter((group): group is GroupResult => !('error' in group))
  const heads = measured.map((group) => `${group.provider} ${group.precision}`)
  const table = (title: string, keys: string[], cell: (group: GroupResult, key: string) => string) => [
    `### ${title}`,
    '',
    `| shape | ${heads.join(' | ')} |`,
    `| --- | ${heads.map(() => '---:').join(' | ')} |`,
    ...keys.map((key) => `| ${key} | ${measured.map((group) => cell(group, key)).join(' | ')} |`),
    '',
  ]
  const textKeys = [
    ...new Set(
      measured.flatMap((group) => group.text.map((row) => `${row.tokens} tokens × ${row.batchSize}`)),
    ),
  ]
  const imageKeys = [
    ...new Set(measured.flatMap((group) => group.image.map((row) => `batch ${row.batchSize}`))),
  ]
  return [
    `# bench:gpu: ${result.label}`,
    '',
    `- card: ${result.card}; adapter: ${result.adapter.description}; host: ${result.host.cpus} × ${result.host.cpuModel}`,
    `- text tower: ${result.towers.text}`,
    `- image tower: ${result.towers.image}`,
    `- measured: ${result.measured}; ${result.seconds} s of a ${result.budgetSeconds} s budget`,
    ...measured.flatMap((group) =>
      Object.entries(group.placement).map(
        ([tower, placement]) =>
          `- ${group.provider} ${group.precision} ${tower}: ${describePlacement(placement)}`,
      ),
    ),
    ...result.groups.flatMap((group) =>
      'error' in group ? [`- ${group.provider} ${group.precision} failed: ${group.error}`] : [],
    ),
    ...measured.flatMap((group) =>
      group.skipped.map((skip) => `- ${group.provider} ${group.precision} skipped ${skip}`),
    ),
    '',
    ...table('Text tower: tokens/s', textKeys, (group, key) => {
      const row = group.text.find(
        (candidate) => `${candidate.tokens} tokens × ${candidate.batchSize}` === key,
      )
      return row ? `${row.tokensPerSecond} (${row.msPerBatch} ms)` : '–'
    }),
    ...table('Image tower: images/s', imageKeys, (group, key) => {
      const row = group.image.find((candidate) => `batch ${candidate.batchSize}` === key)
      return row ? `${row.imagesPerSecond} (${row.msPerBatch} ms)` : '–'
    }),
  ].join('\n')
}
