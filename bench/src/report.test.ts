import { describe, expect, it } from 'vitest'
import type { MachineInfo } from './machine'
import { objectToTables, type Report, renderMarkdown } from './report'

const machine: MachineInfo = {
  cpu: 'Test CPU',
  cores: 2,
  memoryGiB: 24,
  node: 'v22.0.0',
  platform: 'linux-x64',
  loadAverage: [1, 0.5, 0.25],
  versions: { 'onnxruntime-web': '1.30.0' },
}

const report: Report = {
  startedAt: '2026-01-01T00:00:00.000Z',
  durationS: 12,
  mode: 'quick',
  machine,
  suites: [
    {
      name: 'edge-latency',
      title: 'a. Edge latency',
      model: 'synthetic',
      tables: [
        {
          title: 'by length',
          rows: [
            { tokens: 16, 'ort-web.p50': 50 },
            { tokens: 64, extra: 'x' },
          ],
        },
        { title: 'empty', rows: [] },
      ],
      notes: ['a note'],
    },
  ],
}

describe('renderMarkdown', () => {
  it('records the machine and versions the figures were measured on', () => {
    const markdown = renderMarkdown(report)
    expect(markdown).toContain(
      'Test CPU, 2 cores, 24 GiB, Node v22.0.0, linux-x64, load average 1 / 0.5 / 0.25',
    )
    expect(markdown).toContain('onnxruntime-web 1.30.0')
  })

  it('renders a table whose columns are the union of the rows, blanks where a row lacks one', () => {
    const markdown = renderMarkdown(report)
    expect(markdown).toContain('| tokens | ort-web.p50 | extra |')
    expect(markdown).toContain('| 16 | 50 |  |')
    expect(markdown).toContain('| 64 |  | x |')
  })

  it('says so when a table has no rows, and keeps notes and the model', () => {
    const markdown = renderMarkdown(report)
    expect(markdown).toContain('_empty: no rows_')
    expect(markdown).toContain('- a note')
    expect(markdown).toContain('Model: synthetic')
  })
})

describe('objectToTables', () => {
  it('turns scalars into a name/value table and nested objects into their own, titled by path', () => {
    const tables = objectToTables('backend', { mode: 'quick', fixture: { speedup: 2.5, items: 32 } })
    expect(tables).toEqual([
      { title: 'backend', rows: [{ name: 'mode', value: 'quick' }] },
      {
        title: 'backend / fixture',
        rows: [
          { name: 'speedup', value: 2.5 },
          { name: 'items', value: 32 },
        ],
      },
    ])
  })

  it('turns an array of objects into one table, serializing non-scalar cells', () => {
    const tables = objectToTables('rows', [
      { tokens: 16, ok: true },
      { tokens: 64, list: [1, 2] },
    ])
    expect(tables).toEqual([
      {
        title: 'rows',
        rows: [
          { tokens: 16, ok: 'true' },
          { tokens: 64, list: '[1,2]' },
        ],
      },
    ])
  })

  it('keeps an array of scalars as one cell', () => {
    expect(objectToTables('x', { loadAverage: [1, 2] })).toEqual([
      { title: 'x', rows: [{ name: 'loadAverage', value: '[1,2]' }] },
    ])
  })
})
