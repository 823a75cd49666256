// Shared-secret bearer auth between gateway and backend. Both sides are hashed first so the
// constant-time compare sees equal lengths and leaks neither the secret nor its length.
import { createHash, timingSafeEqual } from 'node:crypto'
import { EdgeclipError } from '@edgeclip/core'
import type { MiddlewareHandler } from 'hono'

export interface BearerSecretOptions {
  /** Undefined turns the check off (BACKEND_AUTH=off, e.g. behind Modal proxy auth alone). */
  secret: string | undefined
}

const digest = (value: string) => createHash('sha256').update(value).digest()

/**
 * Refuses requests whose `Authorization: Bearer` is not the shared secret, with 401.
 * @example app.use('/internal/*', bearerSecret({ secret: process.env.BACKEND_SECRET }))
 */
export function bearerSecret({ secret }: BearerSecretOptions): MiddlewareHandler {
  const expected = secret === undefined ? undefined : digest(secret)
  return async function bearerSecretMiddleware(context, next) {
    if (expected === undefined) return next()
    const header = context.req.header('authorization') ?? ''
    const match = /^Bearer\s+(.+)$/i.exec(header)
    if (!match || !timingSafeEqual(digest(match[1]!.trim()), expected)) {
      throw new EdgeclipError('missing or wrong backend secret (Authorization: Bearer)', {
        status: 401,
        code: 'invalid_backend_secret',
      })
    }
    return next()
  }
}
