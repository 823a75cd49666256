// The backend's Hono app: health and readiness open, the batch endpoint and metrics behind the
// shared secret, every EdgeclipError answered as an OpenAI-style body with retry-after when it has one.
import { EdgeclipError, isEdgeclipError } from '@edgeclip/core'
import { Hono } from 'hono'
import type { BackendMetrics } from '../metrics'
import { bearerSecret } from './auth'
import { batchRoute, type ServingModel } from './batch-route'
import { connectionClose } from './connection-close'
import { healthRoutes } from './health'

export interface BackendAppOptions {
  secret: string | undefined
  metrics: BackendMetrics
  model: () => ServingModel | undefined
  notReadyReason: () => string | undefined
  accepting: () => boolean
  describe: () => Record<string, unknown>
  maxRequestBytes: number
  log?: (line: string) => void
}

export function createBackendApp(options: BackendAppOptions): Hono {
  const app = new Hono()
  const auth = bearerSecret({ secret: options.secret })
  app.use('*', connectionClose({ accepting: options.accepting }))
  app.use('/internal/*', auth)
  app.use('/metrics', auth)
  app.route('/', healthRoutes(options))
  app.route('/', batchRoute(options))
  app.notFound(() => {
    throw new EdgeclipError('no such endpoint', { status: 404, code: 'not_found' })
  })
  app.onError((error, context) => {
    const known = isEdgeclipError(error)
      ? error
      : new EdgeclipError('internal error', { status: 500, code: 'internal_error', cause: error })
    if (!isEdgeclipError(error)) options.log?.(`edgeclip backend: unexpected error: ${String(error)}`)
    const headers: Record<string, string> =
      known.retryAfter === undefined ? {} : { 'retry-after': String(known.retryAfter) }
    return context.json(known.toBody(), known.status as 400, headers)
  })
  return app
}
