// Prometheus text exposition (format 0.0.4), hand-written: counters, gauges read at scrape time and
// histograms with fixed buckets. Label values are escaped; series keep their first-seen order.

type Labels = Record<string, string>

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}

function formatLabels(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels)
  if (extra) pairs.push(extra)
  if (pairs.length === 0) return ''
  return `{${pairs.map(([key, value]) => `${key}="${escapeLabel(value)}"`).join(',')}}`
}

const keyOf = (labels: Labels) => JSON.stringify(Object.entries(labels).sort())

interface Metric {
  render(): string[]
}

export class Counter implements Metric {
  readonly #series = new Map<string, { labels: Labels; value: number }>()
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, amount = 1): void {
    const key = keyOf(labels)
    const series = this.#series.get(key) ?? { labels, value: 0 }
    series.value += amount
    this.#series.set(key, series)
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`]
    for (const { labels, value } of this.#series.values()) {
      lines.push(`${this.name}${formatLabels(labels)} ${value}`)
    }
    return lines
  }
}

export class Gauge implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly read: () => { labels: Labels; value: number }[],
  ) {}

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`]
    for (const { labels, value } of this.read()) lines.push(`${this.name}${formatLabels(labels)} ${value}`)
    return lines
  }
}

export class Histogram implements Metric {
  readonly #series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>()
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}

  observe(value: number, labels: Labels = {}): void {
    const key = keyOf(labels)
    let series = this.#series.get(key)
    if (!series) {
      series = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 }
      this.#series.set(key, series)
    }
    this.buckets.forEach((bound, index) => {
      if (value <= bound) series.counts[index]! += 1
    })
    series.sum += value
    series.count += 1
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`]
    for (const { labels, counts, sum, count } of this.#series.values()) {
      this.buckets.forEach((bound, index) => {
        lines.push(`${this.name}_bucket${formatLabels(labels, ['le', String(bound)])} ${counts[index]}`)
      })
      lines.push(`${this.name}_bucket${formatLabels(labels, ['le', '+Inf'])} ${count}`)
      lines.push(`${this.name}_sum${formatLabels(labels)} ${sum}`)
      lines.push(`${this.name}_count${formatLabels(labels)} ${count}`)
    }
    return lines
  }
}

export class MetricsRegistry {
  readonly #metrics: Metric[] = []

  register<M extends Metric>(metric: M): M {
    this.#metrics.push(metric)
    return metric
  }

  render(): string {
    return `${this.#metrics.flatMap((metric) => metric.render()).join('\n')}\n`
  }
}
