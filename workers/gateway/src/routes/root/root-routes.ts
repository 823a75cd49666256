// `GET /` says where things are (a browser goes on to /docs), and a known path asked with a method
// it does not take is a 405 naming the ones it does: `/` was a bare 404, and so was
// `GET /v1/embeddings`, which reads as "no such endpoint".
import { EdgeclipError } from '@edgeclip/core'
import type { OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from '../../env'
import { errorResponse } from '../../middleware/errors'

export function registerRootRoute(app: OpenAPIHono<AppEnv>): void {
  app.get('/', (context) => {
    if (context.req.header('accept')?.includes('text/html')) return context.redirect('/docs', 302)
    return context.json({
      name: 'edgeclip',
      docs: '/docs',
      openapi: '/openapi.json',
      embeddings: 'POST /v1/embeddings',
      models: 'GET /v1/models',
    })
  })
}

/**
 * A 405 with an `allow` header for every routed path, for the methods its routes do not take. Call it
 * after every route is registered: it reads them from the app.
 */
export function registerMethodNotAllowed(app: OpenAPIHono<AppEnv>): void {
  const methods = new Map<string, Set<string>>()
  for (const route of app.routes) {
    // Middleware registers as ALL, often on wildcard paths; only concrete routes have a method set.
    if (route.method === 'ALL' || route.path.includes('*')) continue
    const set = methods.get(route.path) ?? new Set<string>()
    set.add(route.method)
    // Hono answers HEAD with the GET handler.
    if (route.method === 'GET') set.add('HEAD')
    methods.set(route.path, set)
  }
  for (const [path, allowed] of methods) {
    const allow = [...allowed].sort().join(', ')
    app.all(path, (context) => {
      context.header('allow', allow)
      return errorResponse(
        new EdgeclipError(`${context.req.method} is not allowed on ${path}; use ${allow}.`, {
          status: 405,
          code: 'method_not_allowed',
        }),
        context,
      )
    })
  }
}
