// `pnpm bench [--quick] [--only a,b [--merge]]`: runs the suites and writes bench/results/latest.{json,md}.
// --merge keeps the other suites' results from the existing latest.json (same mode).
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { machineInfo } from './machine'
import { mergeReports } from './merge-report'
import { type Report, renderMarkdown } from './report'
import type { Suite, SuiteResult } from './suite'
import { edgeLatency } from './suites/edge-latency'
import { backendCpu, edgeFit } from './suites/external'
import { gatewayOverhead } from './suites/gateway-overhead'
import { preprocessBench } from './suites/preprocess'

const suites: Record<string, Suite> = {
  'edge-latency': edgeLatency,
  'gateway-overhead': gatewayOverhead,
  'backend-cpu': backendCpu,
  'edge-fit': edgeFit,
  preprocess: preprocessBench,
}
// Edge fit starts workerd once per variant and part: minutes, so the quick run leaves it out.
const quickSuites = ['edge-latency', 'gateway-overhead', 'backend-cpu', 'preprocess']

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    merge: { type: 'boolean', default: false },
  },
})
const selected = values.only ? values.only.split(',') : values.quick ? quickSuites : Object.keys(suites)
const resultsDir = fileURLToPath(new URL('../results/', import.meta.url))
const workDir = `${resultsDir}tmp`
const latestJson = `${resultsDir}latest.json`
await mkdir(workDir, { recursive: true })

async function readPreviousReport(): Promise<Report> {
  try {
    return JSON.parse(await readFile(latestJson, 'utf8')) as Report
  } catch (error) {
    throw new Error(`--merge: cannot read ${latestJson} (${String(error)}); run without --merge first`)
  }
}
// Read before the minutes of measuring, so a missing or foreign report fails at once.
const previous = values.merge ? await readPreviousReport() : undefined
const mode = values.quick ? 'quick' : 'full'
if (previous && previous.mode !== mode)
  throw new Error(`--merge: ${latestJson} is a ${previous.mode} run; this one is ${mode}`)

const started = new Date()
// The load average before our own processes add to it.
const machine = machineInfo()
const results: SuiteResult[] = []
for (const name of selected) {
  const suite = suites[name]
  if (!suite) throw new Error(`unknown suite ${name}; known: ${Object.keys(suites).join(', ')}`)
  const log = (message: string) => console.error(`[bench] ${message}`)
  const suiteStarted = Date.now()
  try {
    results.push(await suite({ quick: values.quick ?? false, workDir, log }))
    log(`${name} took ${Math.round((Date.now() - suiteStarted) / 1000)} s`)
  } catch (error) {
    // One broken suite must not cost the figures of the others; the failure is in the report.
    log(`${name} failed: ${String(error)}`)
    results.push({
      name,
      title: `${name} (failed)`,
      tables: [],
      notes: [`failed: ${String(error).slice(0, 500)}`],
      failed: true,
    })
  }
}
const current: Report = {
  startedAt: started.toISOString(),
  durationS: Math.round((Date.now() - started.getTime()) / 1000),
  mode,
  machine,
  suites: results,
}
const report = previous ? mergeReports(previous, current) : current
await writeFile(latestJson, `${JSON.stringify(report, null, 2)}\n`)
await writeFile(`${resultsDir}latest.md`, renderMarkdown(report))
console.error(
  `[bench] ${previous ? `merged ${selected.join(', ')} into` : 'wrote'} ${latestJson} and latest.md in ${current.durationS} s`,
)
