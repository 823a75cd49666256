// Order statistics for benchmark samples. Every figure is a median with its spread.

export interface Summary {
  n: number
  median: number
  p50: number
  p95: number
  p99: number
  min: number
  max: number
  /** Interquartile range: the spread reported next to each median. */
  iqr: number
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const position = (sorted.length - 1) * q
  const lower = Math.floor(position)
  const upper = Math.ceil(position)
  const low = sorted[lower]!
  return low + (sorted[upper]! - low) * (position - lower)
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b)
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
    min: sorted[0] ?? Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
    iqr: quantile(sorted, 0.75) - quantile(sorted, 0.25),
  }
}

/** Median of a per-run figure across repeated runs, with its spread. */
export function medianOfRuns(values: readonly number[]): { median: number; iqr: number; runs: number } {
  const summary = summarize(values)
  return { median: summary.median, iqr: summary.iqr, runs: summary.n }
}

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits))
