// Authenticates `Authorization: Bearer <key>` against the key store by the key's sha256.
// Keys never reach logs or error messages: only the hash leaves this function.
import { EdgeclipError, hashApiKey } from '@edgeclip/core'
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../../env'

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i

/**
 * Sets `keyRecord`; a host that passes no key store (EDGECLIP_AUTH=off) turns auth off.
 * @example app.use('/v1/*', bearerKeyAuth())
 */
export function bearerKeyAuth(): MiddlewareHandler<AppEnv> {
  return async function bearerKeyAuthMiddleware(context, next) {
    const { keyStore } = context.get('deps')
    if (!keyStore) {
      context.set('keyRecord', undefined)
      return next()
    }
    const record = await context.get('timings').measure('auth', async () => {
      const key = BEARER.exec(context.req.header('authorization') ?? '')?.[1]
      if (!key) {
        throw new EdgeclipError('Missing API key: send it as "Authorization: Bearer <key>".', {
          status: 401,
          code: 'invalid_api_key',
        })
      }
      const found = await keyStore.findByHash(await hashApiKey(key))
      if (!found) throw new EdgeclipError('Invalid API key.', { status: 401, code: 'invalid_api_key' })
      if (found.revoked) {
        throw new EdgeclipError(`API key ${found.id} has been revoked.`, { status: 403, code: 'key_revoked' })
      }
      return found
    })
    context.set('keyRecord', record)
    return next()
  }
}
