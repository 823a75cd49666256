// Gives every request an id: the caller's `x-request-id` when it is sane, else a fresh UUID.
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../../env'

// Printable, header-safe and short: anything else could forge log lines or bloat headers.
const SANE_REQUEST_ID = /^[\w.:@=+/-]{1,128}$/

export interface RequestIdOptions {
  headerName?: string
  generate?: () => string
}

/**
 * @example app.use(requestId())
 */
export function requestId({
  headerName = 'x-request-id',
  generate = () => crypto.randomUUID(),
}: RequestIdOptions = {}): MiddlewareHandler<AppEnv> {
  return async function requestIdMiddleware(context, next) {
    const offered = context.req.header(headerName)
    const id = offered && SANE_REQUEST_ID.test(offered) ? offered : generate()
    context.set('requestId', id)
    context.header(headerName, id)
    await next()
    // onError builds a fresh response; make sure it carries the id too.
    context.res.headers.set(headerName, id)
  }
}
