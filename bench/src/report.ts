// Markdown rendering of a benchmark report.
import type { MachineInfo } from './machine'
import type { ResultTable, SuiteResult } from './suite'

export interface Report {
  startedAt: string
  durationS: number
  mode: string
  machine: MachineInfo
  suites: SuiteResult[]
}

function table({ title, rows }: ResultTable): string {
  if (rows.length === 0) return `_${title}: no rows_\n`
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))]
  const lines = [`| ${columns.join(' | ')} |`, `| ${columns.map(() => '---').join(' | ')} |`]
  for (const row of rows) lines.push(`| ${columns.map((column) => String(row[column] ?? '')).join(' | ')} |`)
  return `**${title}**\n\n${lines.join('\n')}\n`
}

export function renderMarkdown(report: Report): string {
  const { machine } = report
  const parts = [
    '# edgeclip benchmarks',
    '',
    `${report.mode} run, ${report.startedAt}, ${report.durationS} s. Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}, load average ${machine.loadAverage.join(' / ')} at start.`,
    `Versions: ${Object.entries(machine.versions)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}.`,
    'Latencies are medians (p50) and p95 over all samples of all runs, with the interquartile range as spread; ratios come from the same run.',
    '',
  ]
  for (const suite of report.suites) {
    parts.push(`## ${suite.title}`, '')
    if (suite.run) {
      const { startedAt, durationS, machine: rerun } = suite.run
      parts.push(
        `Re-run on its own and merged into this report: ${startedAt}, ${durationS} s, Node ${rerun.node}, load average ${rerun.loadAverage.join(' / ')} at start.`,
        '',
      )
    }
    if (suite.model) parts.push(`Model: ${suite.model}`, '')
    for (const result of suite.tables) parts.push(table(result))
    for (const note of suite.notes ?? []) parts.push(`- ${note}`)
    parts.push('')
  }
  return `${parts.join('\n')}\n`
}

type Cell = number | string
const isScalar = (value: unknown): value is Cell | boolean | null =>
  value === null || ['number', 'string', 'boolean'].includes(typeof value)
const cell = (value: unknown): Cell =>
  typeof value === 'number' || typeof value === 'string' ? value : JSON.stringify(value)

/**
 * Tables from another bench's figures, whatever their nesting: an array of flat objects becomes a
 * table, the scalars of an object one `name | value` table, nested objects their own, titled by path.
 */
export function objectToTables(title: string, value: unknown): ResultTable[] {
  if (Array.isArray(value)) {
    if (value.every((item) => item !== null && typeof item === 'object' && !Array.isArray(item))) {
      const rows = (value as Record<string, unknown>[]).map((item) =>
        Object.fromEntries(Object.entries(item).map(([key, entry]) => [key, cell(entry)])),
      )
      return [{ title, rows }]
    }
    return [{ title, rows: [{ value: cell(value) }] }]
  }
  if (value === null || typeof value !== 'object') return [{ title, rows: [{ value: cell(value) }] }]
  const entries = Object.entries(value as Record<string, unknown>)
  const scalars = entries.filter(
    ([, entry]) => isScalar(entry) || (Array.isArray(entry) && entry.every(isScalar)),
  )
  const tables: ResultTable[] = []
  if (scalars.length > 0)
    tables.push({ title, rows: scalars.map(([name, entry]) => ({ name, value: cell(entry) })) })
  for (const [name, entry] of entries) {
    if (scalars.some(([scalarName]) => scalarName === name)) continue
    tables.push(...objectToTables(`${title} / ${name}`, entry))
  }
  return tables
}
