// Where the towers run, read at scrape time: the provider and adapter chosen at startup, and for GPU
// sessions which nodes ONNX Runtime left on the CPU and how many host↔GPU copies each run makes.
import type { NodePlacement } from '../providers/placement'
import { Gauge, type MetricsRegistry } from './metrics-registry'

export interface ProviderState {
  provider: string
  variant: string
  adapter: string
  placement: Partial<Record<'text' | 'image', NodePlacement>>
}

export function registerProviderMetrics(
  registry: MetricsRegistry,
  read: () => ProviderState | undefined,
): void {
  registry.register(
    new Gauge('edgeclip_backend_provider_info', 'The execution provider serving the towers (1).', () => {
      const state = read()
      if (!state) return []
      const { provider, variant, adapter } = state
      return [{ labels: { provider, variant, adapter }, value: 1 }]
    }),
  )
  const perTower =
    (
      pick: (placement: NodePlacement, tower: string) => { labels: Record<string, string>; value: number }[],
    ) =>
    () =>
      Object.entries(read()?.placement ?? {}).flatMap(([tower, placement]) => pick(placement, tower))
  registry.register(
    new Gauge(
      'edgeclip_backend_cpu_fallback_nodes',
      'Nodes of a GPU session that ONNX Runtime ran on the CPU, by tower and op.',
      perTower((placement, tower) =>
        Object.entries(placement.cpuNodes).map(([op, value]) => ({ labels: { tower, op }, value })),
      ),
    ),
  )
  registry.register(
    new Gauge(
      'edgeclip_backend_host_device_copies_per_run',
      'Host↔GPU copy nodes in one session.run of a GPU session, by tower.',
      perTower((placement, tower) => [{ labels: { tower }, value: placement.copiesPerRun }]),
    ),
  )
}
