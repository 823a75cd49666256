import { describe, expect, it } from 'vitest'
import { medianOfRuns, quantile, round, summarize } from './stats'

describe('quantile', () => {
  it('interpolates between order statistics', () => {
    expect(quantile([10, 20, 30, 40], 0.5)).toBe(25)
    expect(quantile([10, 20, 30, 40], 0.25)).toBe(17.5)
    expect(quantile([7], 0.95)).toBe(7)
  })

  it('is NaN for no samples rather than a made-up figure', () => {
    expect(quantile([], 0.5)).toBeNaN()
  })
})

describe('summarize', () => {
  it('sorts, and reports the median with its interquartile range and n', () => {
    const summary = summarize([5, 1, 4, 2, 3])
    expect(summary).toMatchObject({ n: 5, median: 3, p50: 3, min: 1, max: 5, iqr: 2 })
    expect(summary.p95).toBeCloseTo(4.8)
    expect(summary.p99).toBeCloseTo(4.96)
  })

  it('does not reorder the caller array', () => {
    const samples = [3, 1, 2]
    summarize(samples)
    expect(samples).toEqual([3, 1, 2])
  })

  it('takes one outlier without moving the median', () => {
    expect(summarize([10, 11, 12, 13, 1000]).median).toBe(12)
  })
})

describe('medianOfRuns', () => {
  it('gives the median of per-run figures, their spread and the run count', () => {
    expect(medianOfRuns([100, 120, 110])).toEqual({ median: 110, iqr: 10, runs: 3 })
  })
})

describe('round', () => {
  it('keeps the asked digits', () => {
    expect(round(1.23456)).toBe(1.23)
    expect(round(1.23456, 3)).toBe(1.235)
    expect(round(1234.5, 0)).toBe(1235)
  })
})
