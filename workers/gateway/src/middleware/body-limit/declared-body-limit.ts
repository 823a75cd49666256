// Hono's bodyLimit, minus its cost when the request declares its length: Hono's reads
// `request.body` first, which on @hono/node-server builds a whole WHATWG Request and stream for
// every call and loses the server's fast body read (a tenth of a cache hit's CPU).
import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'

export interface DeclaredBodyLimitOptions {
  maxSize: number
  onError: (context: Context) => Response | Promise<Response>
}

/**
 * A declared `content-length` is checked as is (both hosts stop reading a body at its declared
 * length); a body without one (chunked) is counted by Hono's bodyLimit as it streams.
 * @example app.use('/v1/embeddings', declaredBodyLimit({ maxSize: 32 << 20, onError }))
 */
export function declaredBodyLimit({ maxSize, onError }: DeclaredBodyLimitOptions): MiddlewareHandler {
  const streamed = bodyLimit({ maxSize, onError })
  return async function declaredBodyLimitMiddleware(context, next) {
    const declared = context.req.header('content-length')
    if (declared !== undefined && context.req.header('transfer-encoding') === undefined) {
      return Number.parseInt(declared, 10) > maxSize ? onError(context) : next()
    }
    return streamed(context, next)
  }
}
