// Load-test numbers: percentiles per traffic kind, and the JSON + Markdown written to bench/results.
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Sample } from './load-test'
import type { TrafficKind } from './load-traffic'

const resultsDir = resolve(import.meta.dirname, '../../../../bench/results')

interface Percentiles {
  p50: number
  p90: number
  p99: number
  max: number
}

interface MemoryPoint {
  heapMiB: number
  rssMiB: number
}

export interface LoadReport {
  date: string
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string }
  setup: Record<string, unknown>
  elapsedSeconds: number
  requests: number
  rps: number
  errors: number
  statuses: Record<string, number>
  latencyMs: Percentiles
  byKind: Record<string, { requests: number; errors: number } & Percentiles>
  memory: {
    before: MemoryPoint
    after: MemoryPoint
    growthHeapMiB: number
    samples: ({ second: number } & MemoryPoint)[]
  }
}

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (fraction: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) ?? 0 }
}

export function summarize(
  samples: Sample[],
  context: Pick<LoadReport, 'date' | 'machine' | 'setup' | 'elapsedSeconds' | 'memory'>,
): LoadReport {
  const statuses: Record<string, number> = {}
  for (const sample of samples) statuses[sample.status] = (statuses[sample.status] ?? 0) + 1
  const kinds = [...new Set(samples.map((sample) => sample.kind))] as TrafficKind[]
  const byKind = Object.fromEntries(
    kinds.map((kind) => {
      const ofKind = samples.filter((sample) => sample.kind === kind)
      return [
        kind,
        {
          requests: ofKind.length,
          errors: ofKind.filter((sample) => !sample.ok).length,
          ...percentiles(ofKind.map((sample) => sample.milliseconds)),
        },
      ]
    }),
  )
  return {
    ...context,
    requests: samples.length,
    rps: samples.length / context.elapsedSeconds,
    errors: samples.filter((sample) => !sample.ok).length,
    statuses,
    latencyMs: percentiles(samples.map((sample) => sample.milliseconds)),
    byKind,
  }
}

const fixed = (value: number) => value.toFixed(1)

function markdown(report: LoadReport): string {
  const rows = Object.entries(report.byKind)
    .map(
      ([kind, row]) =>
        `| ${kind} | ${row.requests} | ${row.errors} | ${fixed(row.p50)} | ${fixed(row.p99)} | ${fixed(row.max)} |`,
    )
    .join('\n')
  return `# Gateway load test (loopback)

${report.date} · ${report.machine.cpus} × ${report.machine.cpuModel}, ${fixed(report.machine.memoryGiB)} GiB, Node ${report.machine.node}

Setup: ${String(report.setup.gateway)}; backend: ${String(report.setup.backend)}.
${String(report.setup.concurrency)} clients for ${String(report.setup.durationSeconds)} s after a ${String(report.setup.warmupSeconds)} s warm-up.
Produced by \`pnpm --filter @edgeclip/gateway load\` (LOAD_DURATION_S, LOAD_CONCURRENCY, LOAD_WARMUP_S).

| measure | value |
| --- | --- |
| requests | ${report.requests} |
| rps held | ${fixed(report.rps)} |
| latency p50 / p90 / p99 / max (ms) | ${fixed(report.latencyMs.p50)} / ${fixed(report.latencyMs.p90)} / ${fixed(report.latencyMs.p99)} / ${fixed(report.latencyMs.max)} |
| errors (unexpected status) | ${report.errors} |
| statuses | ${Object.entries(report.statuses)
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ')} |
| heap after GC, before → after (MiB) | ${fixed(report.memory.before.heapMiB)} → ${fixed(report.memory.after.heapMiB)} (${report.memory.growthHeapMiB >= 0 ? '+' : ''}${fixed(report.memory.growthHeapMiB)}) |
| RSS before → after (MiB) | ${fixed(report.memory.before.rssMiB)} → ${fixed(report.memory.after.rssMiB)} |

| traffic | requests | errors | p50 ms | p99 ms | max ms |
| --- | --- | --- | --- | --- | --- |
${rows}

The heap is this process's (the gateway and the load clients share it; the clients keep only
latency samples). The L1 cache is bounded in bytes (256 MiB by default), so the heap may grow while
it fills; unbounded growth across repeated runs would be a leak.
`
}

export async function writeReport(report: LoadReport): Promise<string[]> {
  await mkdir(resultsDir, { recursive: true })
  const json = join(resultsDir, 'load-latest.json')
  const md = join(resultsDir, 'load-latest.md')
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`)
  await writeFile(md, markdown(report))
  return [json, md]
}
