// `pnpm bench [--quick] [--only a,b]`: runs the suites and writes bench/results/latest.{json,md}.
import { mkdir, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { machineInfo } from './machine'
import { renderMarkdown } from './report'
import type { Suite, SuiteResult } from './suite'
import { edgeLatency } from './suites/edge-latency'
import { backendCpu, edgeFit } from './suites/external'
import { gatewayOverhead } from './suites/gateway-overhead'

const suites: Record<string, Suite> = {
  'edge-latency': edgeLatency,
  'gateway-overhead': gatewayOverhead,
  'backend-cpu': backendCpu,
  'edge-fit': edgeFit,
}
// Edge fit starts workerd once per variant and part: minutes, so the quick run leaves it out.
const quickSuites = ['edge-latency', 'gateway-overhead', 'backend-cpu']

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } },
})
const selected = values.only ? values.only.split(',') : values.quick ? quickSuites : Object.keys(suites)
const resultsDir = fileURLToPath(new URL('../results/', import.meta.url))
const workDir = `${resultsDir}tmp`
await mkdir(workDir, { recursive: true })

const started = new Date()
const results: SuiteResult[] = []
for (const name of selected) {
  const suite = suites[name]
  if (!suite) throw new Error(`unknown suite ${name}; known: ${Object.keys(suites).join(', ')}`)
  const log = (message: string) => console.error(`[bench] ${message}`)
  try {
    results.push(await suite({ quick: values.quick ?? false, workDir, log }))
  } catch (error) {
    // One broken suite must not cost the figures of the others; the failure is in the report.
    log(`${name} failed: ${String(error)}`)
    results.push({
      name,
      title: `${name} (failed)`,
      tables: [],
      notes: [`failed: ${String(error).slice(0, 500)}`],
    })
  }
}
const report = {
  startedAt: started.toISOString(),
  durationS: Math.round((Date.now() - started.getTime()) / 1000),
  mode: values.quick ? 'quick' : 'full',
  machine: machineInfo(),
  suites: results,
}
await writeFile(`${resultsDir}latest.json`, `${JSON.stringify(report, null, 2)}\n`)
await writeFile(`${resultsDir}latest.md`, renderMarkdown(report))
console.error(`[bench] wrote ${resultsDir}latest.json and latest.md in ${report.durationS} s`)
