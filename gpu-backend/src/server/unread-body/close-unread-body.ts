// An answer sent before the request body was read (401, 413, 415, ...) leaves the body on the socket:
// @hono/node-server drains it for 500 ms and then destroys the socket, which the client still holds
// as keep-alive, so the client's next request on it fails. `connection: close` makes both drop it.
import type { IncomingMessage } from 'node:http'
import type { MiddlewareHandler } from 'hono'

/**
 * Adds `connection: close` to any answer whose request body was not read to its end.
 * @example app.use('*', closeUnreadBody())
 */
export function closeUnreadBody(): MiddlewareHandler {
  return async function closeUnreadBodyMiddleware(context, next) {
    await next()
    // Only the Node server passes the socket's request; other hosts have no socket to poison.
    const incoming = (context.env as { incoming?: IncomingMessage } | undefined)?.incoming
    if (incoming && hasBody(incoming) && !incoming.readableEnded) context.header('connection', 'close')
  }
}

function hasBody(incoming: IncomingMessage): boolean {
  const declared = incoming.headers['content-length']
  return incoming.headers['transfer-encoding'] !== undefined || (declared !== undefined && declared !== '0')
}
