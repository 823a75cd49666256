import { describe, expect, it } from 'vitest'
import type { MachineInfo } from './machine'
import { mergeReports } from './merge-report'
import { type Report, renderMarkdown } from './report'
import type { SuiteResult } from './suite'

const machine = (load: number): MachineInfo => ({
  cpu: 'Test CPU',
  cores: 2,
  memoryGiB: 24,
  node: 'v22.0.0',
  platform: 'linux-x64',
  loadAverage: [load, load, load],
  versions: {},
})

const suite = (name: string, p50: number, extra: Partial<SuiteResult> = {}): SuiteResult => ({
  name,
  title: `suite ${name}`,
  tables: [{ title: 'figures', rows: [{ p50 }] }],
  ...extra,
})

const previous: Report = {
  startedAt: '2026-01-01T00:00:00.000Z',
  durationS: 900,
  mode: 'full',
  machine: machine(1),
  suites: [suite('edge-latency', 100), suite('gateway-overhead', 5)],
}

const rerun = (suites: SuiteResult[], mode = 'full'): Report => ({
  startedAt: '2026-01-02T00:00:00.000Z',
  durationS: 300,
  mode,
  machine: machine(2.5),
  suites,
})

describe('mergeReports', () => {
  it('replaces the re-run suite in place, stamped with its run, and keeps the others', () => {
    const merged = mergeReports(previous, rerun([suite('edge-latency', 80)]))
    expect(merged.startedAt).toBe(previous.startedAt)
    expect(merged.suites.map((kept) => kept.name)).toEqual(['edge-latency', 'gateway-overhead'])
    expect(merged.suites[0]!.tables[0]!.rows).toEqual([{ p50: 80 }])
    expect(merged.suites[0]!.run).toMatchObject({ startedAt: '2026-01-02T00:00:00.000Z', durationS: 300 })
    expect(merged.suites[1]).toEqual(previous.suites[1])
    expect(renderMarkdown(merged)).toContain(
      'Re-run on its own and merged into this report: 2026-01-02T00:00:00.000Z, 300 s, Node v22.0.0, load average 2.5 / 2.5 / 2.5 at start.',
    )
  })

  it('appends a suite the previous report did not have', () => {
    const merged = mergeReports(previous, rerun([suite('edge-fit', 1)]))
    expect(merged.suites.map((kept) => kept.name)).toEqual(['edge-latency', 'gateway-overhead', 'edge-fit'])
  })

  it('keeps the previous figures when the re-run failed', () => {
    const failed = suite('edge-latency', Number.NaN, { failed: true, tables: [] })
    expect(mergeReports(previous, rerun([failed])).suites[0]).toEqual(previous.suites[0])
  })

  it('refuses to mix quick figures into a full report', () => {
    expect(() => mergeReports(previous, rerun([suite('edge-latency', 1)], 'quick'))).toThrow(
      /quick run into a full/,
    )
  })
})
