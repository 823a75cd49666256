// When the connection must not be reused, the answer says `connection: close`, and node:http closes
// the socket after it instead of keeping it alive for the client's next request:
// - the body was not read (401, 413, 415, ...): @hono/node-server drains it for 500 ms, then destroys
//   the socket the client still holds as keep-alive, so the client's next request on it fails;
// - shutdown has begun: a kept-alive socket would hold shutdown up for the keep-alive timeout, and
//   the client's next request on it would be refused or cut off.
import type { IncomingMessage } from 'node:http'
import type { MiddlewareHandler } from 'hono'

export interface ConnectionCloseOptions {
  /** False once shutdown began. */
  accepting: () => boolean
}

/**
 * Adds `connection: close` to answers after which the socket should not carry another request.
 * @example app.use('*', connectionClose({ accepting: () => !shuttingDown }))
 */
export function connectionClose({ accepting }: ConnectionCloseOptions): MiddlewareHandler {
  return async function connectionCloseMiddleware(context, next) {
    await next()
    // Only the Node server passes the socket's request; other hosts have no socket to keep.
    const incoming = (context.env as { incoming?: IncomingMessage } | undefined)?.incoming
    const unreadBody = incoming !== undefined && hasBody(incoming) && !incoming.readableEnded
    if (unreadBody || !accepting()) context.header('connection', 'close')
  }
}

function hasBody(incoming: IncomingMessage): boolean {
  const declared = incoming.headers['content-length']
  return incoming.headers['transfer-encoding'] !== undefined || (declared !== undefined && declared !== '0')
}
