// Liveness (/healthz: the process answers) and readiness (/readyz: it can serve embeddings).
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from '../../env'
import type { GatewayDeps } from '../../ports'
import { healthSchema } from '../../schemas'

const healthContent = { 'application/json': { schema: healthSchema } }

export const healthzRoute = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness',
  responses: { 200: { description: 'The gateway is up.', content: healthContent } },
})

export const readyzRoute = createRoute({
  method: 'get',
  path: '/readyz',
  summary: 'Readiness: edge tower loaded and answering (when configured) and backend reachable',
  responses: {
    200: { description: 'Ready.', content: healthContent },
    503: { description: 'Not ready; `checks` says which part.', content: healthContent },
  },
})

async function check(run: () => Promise<boolean>): Promise<string> {
  try {
    return (await run()) ? 'ok' : 'unavailable'
  } catch (error) {
    return `unavailable: ${error instanceof Error ? error.message : String(error)}`
  }
}

/** Loads the edge tower, and for towers that load lazily elsewhere (the split parts) runs its probe. */
const edgeReady = (edgeTower: NonNullable<GatewayDeps['edgeTower']>) => async () => {
  const tower = await edgeTower()
  await tower.ready?.()
  return true
}

export function registerHealthRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(healthzRoute, (context) => context.json({ status: 'ok' as const }, 200))
  app.openapi(readyzRoute, async (context) => {
    const { edgeTower, backend } = context.get('deps')
    const checks: Record<string, string> = {}
    const [edge, backendState] = await Promise.all([
      edgeTower ? check(edgeReady(edgeTower)) : undefined,
      backend ? check(() => backend.ready()) : undefined,
    ])
    if (edge !== undefined) checks.edge = edge
    if (backendState !== undefined) checks.backend = backendState
    if (!edgeTower && !backend)
      checks.backend = 'unavailable: neither an edge tower nor a backend is configured'
    const ready = Object.values(checks).every((state) => state === 'ok')
    return ready
      ? context.json({ status: 'ok' as const, checks }, 200)
      : context.json({ status: 'unavailable' as const, checks }, 503)
  })
}
