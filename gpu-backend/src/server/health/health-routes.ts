// Liveness, readiness (after warm-up, and no longer once shutdown began) and Prometheus metrics.
import { Hono } from 'hono'
import type { BackendMetrics } from '../../metrics'

export interface HealthRoutesOptions {
  metrics: BackendMetrics
  /** Undefined when ready; otherwise why not (loading, warming up, shutting down). */
  notReadyReason: () => string | undefined
  describe: () => Record<string, unknown>
}

export function healthRoutes({ metrics, notReadyReason, describe }: HealthRoutesOptions): Hono {
  const app = new Hono()
  app.get('/healthz', (context) => context.json({ status: 'ok' }))
  app.get('/readyz', (context) => {
    const reason = notReadyReason()
    if (reason) return context.json({ status: 'not_ready', reason }, 503, { 'retry-after': '1' })
    return context.json({ status: 'ready', ...describe() })
  })
  app.get('/metrics', (context) =>
    context.text(metrics.registry.render(), 200, { 'content-type': 'text/plain; version=0.0.4' }),
  )
  return app
}
