export { type BackendMetrics, createBackendMetrics, type TowerName } from './backend-metrics'
export { Counter, Gauge, Histogram, MetricsRegistry } from './metrics-registry'
export { type ProviderState, registerProviderMetrics } from './provider-metrics'
