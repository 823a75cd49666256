// The gateway as one Hono app, host-agnostic: Workers and Node each supply `getDeps` and a config.
import { EdgeclipError } from '@edgeclip/core'
import { OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { cors } from 'hono/cors'
import type { GatewayConfig } from './config'
import type { AppEnv } from './env'
import { bearerKeyAuth } from './middleware/auth'
import { declaredBodyLimit } from './middleware/body-limit'
import { errorResponse, validationError } from './middleware/errors'
import { rateLimit } from './middleware/rate-limit'
import { requestId } from './middleware/request-id'
import { StageTimings } from './middleware/timing'
import type { GatewayDeps } from './ports'
import {
  type DocsAssets,
  registerDocsRoutes,
  registerEmbeddingsRoute,
  registerHealthRoutes,
  registerMethodNotAllowed,
  registerModelsRoute,
  registerRootRoute,
} from './routes'

export interface GatewayAppOptions {
  /** Called once per request; hosts cache what is expensive (sessions, connections) themselves. */
  getDeps: (context: Context<AppEnv>) => GatewayDeps | Promise<GatewayDeps>
  config: GatewayConfig
  /** Swagger UI's files for /docs, loaded on first use; without them /docs has no renderer. */
  docsAssets?: () => DocsAssets | Promise<DocsAssets>
}

export type GatewayApp = OpenAPIHono<AppEnv>

export function createGatewayApp({ getDeps, config, docsAssets }: GatewayAppOptions): GatewayApp {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error)
    },
  })
  app.onError((error, context) => errorResponse(error, context))
  app.notFound((context) =>
    errorResponse(
      new EdgeclipError(`No route for ${context.req.method} ${context.req.path}.`, {
        status: 404,
        code: 'not_found',
      }),
      context,
    ),
  )

  app.use('*', requestId())
  // Off unless configured: a browser page may call the API only from origins the operator names.
  if (config.corsOrigins.length > 0) {
    const origins = [...config.corsOrigins]
    app.use(
      '/v1/*',
      cors({
        origin: origins.includes('*') ? '*' : origins,
        allowMethods: ['GET', 'POST', 'OPTIONS'],
        allowHeaders: ['authorization', 'content-type', 'x-request-id'],
        exposeHeaders: [
          'x-request-id',
          'x-edgeclip-route',
          'x-edgeclip-cache',
          'x-edgeclip-cache-status',
          'server-timing',
          'retry-after',
          'x-ratelimit-limit',
          'x-ratelimit-remaining',
        ],
        maxAge: 86_400,
      }),
    )
  }
  app.use('*', async function gatewayContext(context, next) {
    const timings = new StageTimings()
    context.set('timings', timings)
    context.set('keyRecord', undefined)
    context.set('deps', await getDeps(context))
    await next()
    const header = timings.toHeader()
    if (header) context.res.headers.set('server-timing', header)
  })
  app.use(
    '/v1/embeddings',
    declaredBodyLimit({
      maxSize: config.maxBodyBytes,
      onError: () => {
        throw new EdgeclipError(`The request body is over ${config.maxBodyBytes} bytes.`, {
          status: 413,
          code: 'request_too_large',
        })
      },
    }),
  )
  app.use('/v1/*', bearerKeyAuth())
  app.use('/v1/embeddings', rateLimit({ defaults: config.defaultLimits }))

  registerEmbeddingsRoute(app, config)
  registerModelsRoute(app, config)
  registerHealthRoutes(app)

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' })
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'edgeclip',
      version: '0.1.0',
      description:
        'Text and image embeddings in one space; compatible with the Jina and OpenAI embeddings APIs.',
    },
  })
  registerDocsRoutes(app, docsAssets)
  registerRootRoute(app)
  registerMethodNotAllowed(app)
  return app
}
