export { type BackendMetrics, createBackendMetrics, type TowerName } from './backend-metrics'
export { Counter, Gauge, Histogram, MetricsRegistry } from './metrics-registry'
