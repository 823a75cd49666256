// The backend's own series. Queue depth is read from the batchers at scrape time.
import { Counter, Gauge, Histogram, MetricsRegistry } from './metrics-registry'

const latencyBucketsSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
const batchSizeBuckets = [1, 2, 4, 8, 16, 32, 64, 128]

export type TowerName = 'text' | 'image'

export interface BackendMetrics {
  registry: MetricsRegistry
  requests: Counter
  items: Counter
  batchSize: Histogram
  batchSeconds: Histogram
  requestSeconds: Histogram
  stageSeconds: Histogram
  paddingTokens: Counter
  decodesCancelled: Counter
}

export function createBackendMetrics(
  queueDepth: () => Record<TowerName, number>,
  /** Images waiting for a decode thread. */
  decodeDepth: () => number = () => 0,
): BackendMetrics {
  const registry = new MetricsRegistry()
  const metrics: BackendMetrics = {
    registry,
    requests: registry.register(
      new Counter('edgeclip_backend_requests_total', 'Batch requests by HTTP status.'),
    ),
    items: registry.register(
      new Counter('edgeclip_backend_items_total', 'Items by tower and outcome (ok or an error code).'),
    ),
    batchSize: registry.register(
      new Histogram('edgeclip_backend_batch_size', 'Items per session.run, by tower.', batchSizeBuckets),
    ),
    batchSeconds: registry.register(
      new Histogram(
        'edgeclip_backend_batch_seconds',
        'session.run duration, by tower.',
        latencyBucketsSeconds,
      ),
    ),
    requestSeconds: registry.register(
      new Histogram(
        'edgeclip_backend_request_seconds',
        'Batch request duration, end to end.',
        latencyBucketsSeconds,
      ),
    ),
    stageSeconds: registry.register(
      new Histogram(
        'edgeclip_backend_stage_seconds',
        'Per request and stage (decode, queue, inference): where the time goes.',
        latencyBucketsSeconds,
      ),
    ),
    paddingTokens: registry.register(
      new Counter(
        'edgeclip_backend_text_tokens_total',
        'Text tokens computed, by kind: useful or padding (grouping by length keeps padding low).',
      ),
    ),
    decodesCancelled: registry.register(
      new Counter(
        'edgeclip_backend_decodes_cancelled_total',
        'Images dropped before decoding because their request went away.',
      ),
    ),
  }
  registry.register(
    new Gauge('edgeclip_backend_queue_depth', 'Items waiting for a batch, by tower.', () =>
      Object.entries(queueDepth()).map(([tower, value]) => ({ labels: { tower }, value })),
    ),
  )
  registry.register(
    new Gauge('edgeclip_backend_decode_queue_depth', 'Images waiting for a decode thread.', () => [
      { labels: {}, value: decodeDepth() },
    ]),
  )
  return metrics
}
