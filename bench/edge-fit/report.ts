// edge-fit.json and edge-fit.md: every figure is measured in workerd through the V8 inspector
// (`isolateMeasuredPeakMiB`), on the shipped bundles; nothing here is estimated.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Agreement } from './agreement'
import type { PhaseResult } from './measure'

export const ISOLATE_LIMIT_MIB = 128
/** The margin issue 11 asks for: every isolate at most 15% under the limit at its worst. */
export const ISOLATE_TARGET_MIB = 110
const MiB = 2 ** 20
const round = (bytes: number) => Math.round((bytes / MiB) * 10) / 10

export interface IsolateRow {
  phase: string
  request: string
  status: number
  /** The Worker whose isolate this is (its deploy name). */
  worker: string
  samples: number
  /** JS heap + every ArrayBuffer backing store (WebAssembly.Memory included), worst sample. */
  isolateMeasuredPeakMiB: number
  jsHeapMiB: number
  arrayBuffersMiB: number
  /** The biggest single backing store at that sample: WebAssembly.Memory once a session exists. */
  largestBufferMiB: number
  fits: boolean
}

export interface EdgeFitReport {
  isolateLimitMiB: number
  isolateTargetMiB: number
  measuredWith: string
  model: string
  machine: { loadAverage: string }
  gatewayConfig: Record<string, number>
  isolates: IsolateRow[]
  agreement: Agreement[]
}

export function isolateRows(phases: readonly PhaseResult[]): IsolateRow[] {
  return phases.flatMap((phase) =>
    [...phase.peaks].map(([worker, { samples, peak }]) => ({
      phase: phase.phase,
      request: phase.request,
      status: phase.status,
      worker: worker.replace(/^Cloudflare Worker: /, ''),
      samples,
      isolateMeasuredPeakMiB: round(peak.isolateBytes),
      jsHeapMiB: round(peak.jsHeapBytes),
      arrayBuffersMiB: round(peak.arrayBufferBytes),
      largestBufferMiB: round(peak.largestBufferBytes),
      fits: peak.isolateBytes <= ISOLATE_TARGET_MIB * MiB,
    })),
  )
}

export function edgeFitMarkdown(report: EdgeFitReport): string {
  const lines = [
    `## Edge fit: isolate memory in workerd (target ≤ ${report.isolateTargetMiB} MiB of ${report.isolateLimitMiB})`,
    '',
    `${report.measuredWith}`,
    '',
    `Model: ${report.model}. Load average during the run: ${report.machine.loadAverage}.`,
    '',
    '| phase | request | status | isolate | samples | measured peak MiB | JS heap | ArrayBuffers | largest buffer | ≤ target |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...report.isolates.map(
      (row) =>
        `| ${row.phase} | ${row.request} | ${row.status} | ${row.worker} | ${row.samples} | ${row.isolateMeasuredPeakMiB} | ${row.jsHeapMiB} | ${row.arrayBuffersMiB} | ${row.largestBufferMiB} | ${row.fits ? 'yes' : '**no**'} |`,
    ),
    '',
    '| variant (onnxruntime-web) | cosine vs fp32, min | mean |',
    '|---|---|---|',
    ...report.agreement.map((row) => `| ${row.variant} | ${row.minCosine} | ${row.meanCosine} |`),
    '',
  ]
  return `${lines.join('\n')}\n`
}

export async function writeEdgeFitReport(resultsDir: string, report: EdgeFitReport): Promise<void> {
  await mkdir(resultsDir, { recursive: true })
  await writeFile(join(resultsDir, 'edge-fit.json'), `${JSON.stringify(report, null, 2)}\n`)
  await writeFile(join(resultsDir, 'edge-fit.md'), edgeFitMarkdown(report))
}
