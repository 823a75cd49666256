import { describe, expect, it } from 'vitest'
import { Counter, Histogram, MetricsRegistry } from '.'

describe('MetricsRegistry', () => {
  it('renders counters and cumulative histogram buckets in the Prometheus text format', () => {
    const registry = new MetricsRegistry()
    const counter = registry.register(new Counter('requests_total', 'Requests.'))
    const histogram = registry.register(new Histogram('batch_size', 'Batch sizes.', [1, 4]))
    counter.inc({ status: '200' })
    counter.inc({ status: '200' })
    counter.inc({ status: 'a"b' })
    histogram.observe(1)
    histogram.observe(3)
    histogram.observe(9)
    expect(registry.render()).toBe(
      [
        '# HELP requests_total Requests.',
        '# TYPE requests_total counter',
        'requests_total{status="200"} 2',
        'requests_total{status="a\\"b"} 1',
        '# HELP batch_size Batch sizes.',
        '# TYPE batch_size histogram',
        'batch_size_bucket{le="1"} 1',
        'batch_size_bucket{le="4"} 2',
        'batch_size_bucket{le="+Inf"} 3',
        'batch_size_sum 13',
        'batch_size_count 3',
        '',
      ].join('\n'),
    )
  })
})
