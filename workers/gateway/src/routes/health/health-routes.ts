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

/**
 * Which part of a split edge tower failed, and its error code: both safe to show anyone. Error
 * texts are not (they name bucket keys, file paths, hosts), so they go to the logs only.
 */
function publicDetail(error: unknown): string | undefined {
  const { part, code } = (error ?? {}) as { part?: unknown; code?: unknown }
  if (typeof part !== 'number') return undefined
  return typeof code === 'string' && /^[a-z_]+$/.test(code)
    ? `edge part ${part} (${code})`
    : `edge part ${part}`
}

async function check(name: string, run: () => Promise<boolean>): Promise<string> {
  try {
    return (await run()) ? 'ok' : 'unavailable'
  } catch (error) {
    console.warn(`/readyz: ${name} is not ready:`, error)
    const detail = publicDetail(error)
    return detail ? `unavailable: ${detail}` : 'unavailable'
  }
}

/** Loads the edge tower, and for towers that load lazily elsewhere (the split parts) runs its probe. */
const edgeReady = (edgeTower: NonNullable<GatewayDeps['edgeTower']>) => async () => {
  const tower = await edgeTower()
  await tower.ready?.()
  return true
}

/**
 * How long a passing readiness check answers later calls. /readyz is public and unlimited, and a
 * check is real work downstream (a backend call; on Workers a text through three part Workers).
 * A failing check is never reused, so a recovery shows on the next call.
 */
export const READY_REUSE_MS = 5_000

interface Readiness {
  ready: boolean
  checks: Record<string, string>
}

async function checkReadiness({ edgeTower, backend }: GatewayDeps): Promise<Readiness> {
  const checks: Record<string, string> = {}
  const [edge, backendState] = await Promise.all([
    edgeTower ? check('the edge tower', edgeReady(edgeTower)) : undefined,
    backend ? check('the backend', () => backend.ready()) : undefined,
  ])
  if (edge !== undefined) checks.edge = edge
  if (backendState !== undefined) checks.backend = backendState
  if (!edgeTower && !backend)
    checks.backend = 'unavailable: neither an edge tower nor a backend is configured'
  return { ready: Object.values(checks).every((state) => state === 'ok'), checks }
}

export function registerHealthRoutes(app: OpenAPIHono<AppEnv>): void {
  // Per app: callers at the same time share one check, and a pass is reused for a while.
  let running: Promise<Readiness> | undefined
  let passed: { at: number; readiness: Readiness } | undefined
  const readiness = (deps: GatewayDeps): Promise<Readiness> => {
    if (passed && Date.now() - passed.at < READY_REUSE_MS) return Promise.resolve(passed.readiness)
    running ??= checkReadiness(deps)
      .then((readiness) => {
        passed = readiness.ready ? { at: Date.now(), readiness } : undefined
        return readiness
      })
      .finally(() => {
        running = undefined
      })
    return running
  }

  app.openapi(healthzRoute, (context) => context.json({ status: 'ok' as const }, 200))
  app.openapi(readyzRoute, async (context) => {
    const { ready, checks } = await readiness(context.get('deps'))
    return ready
      ? context.json({ status: 'ok' as const, checks }, 200)
      : context.json({ status: 'unavailable' as const, checks }, 503)
  })
}
