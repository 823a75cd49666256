// `pnpm bench [--quick] [--only a,b [--merge]] [--out name]`: runs the suites and writes
// bench/results/latest.{json,md} (or <name>.{json,md}).
// --merge keeps the other suites' results from the existing latest.json (same mode).
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { machineInfo } from './machine'
import { mergeReports } from './merge-report'
import { type Report, renderMarkdown } from './report'
import type { Suite, SuiteResult } from './suite'
import { edgeAgreement } from './suites/edge-agreement'
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
  'edge-agreement': edgeAgreement,
}
// Edge fit starts workerd once per variant and part, edge agreement runs 224 texts through the
// full-size split tower: minutes each, so the quick run leaves them out.
const quickSuites = ['edge-latency', 'gateway-overhead', 'backend-cpu', 'preprocess']

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    merge: { type: 'boolean', default: false },
    // Another report name, e.g. a quick run of one suite kept beside the full latest.json.
    out: { type: 'string', default: 'latest' },
  },
})
const selected = values.only ? values.only.split(',') : values.quick ? quickSuites : Object.keys(suites)
const resultsDir = fileURLToPath(new URL('../results/', import.meta.url))
const workDir = `${resultsDir}tmp`
const latestJson = `${resultsDir}${values.out}.json`
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
await writeFile(`${resultsDir}${values.out}.md`, renderMarkdown(report))
console.error(
  `[bench] ${previous ? `merged ${selected.join(', ')} into` : 'wrote'} ${latestJson} and ${values.out}.md in ${current.durationS} s`,
)
