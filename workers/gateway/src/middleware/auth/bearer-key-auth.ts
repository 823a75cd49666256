// Authenticates `Authorization: Bearer <key>` against the key store by the key's sha256.
// Keys never reach logs or error messages: only the hash leaves this function.
import { EdgeclipError, hashApiKey } from '@edgeclip/core'
import type { MiddlewareHandler } from 'hono'
import { LRUCache } from 'lru-cache'
import type { AppEnv } from '../../env'

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i

/** Distinct live keys whose digest one app instance remembers. */
export const DIGEST_CACHE_ENTRIES = 1_024

export interface BearerKeyAuthOptions {
  /** Entries in the key -> sha256 memo; 0 hashes every request. */
  digestCacheEntries?: number
}

/**
 * Sets `keyRecord`; a host that passes no key store (EDGECLIP_AUTH=off) turns auth off.
 * The store is asked on every request, so a revoked key is refused on its next request; only the
 * digest of a key the store knew is memoized (a pure function of the key: it cannot go stale).
 * @example app.use('/v1/*', bearerKeyAuth())
 */
export function bearerKeyAuth({
  digestCacheEntries = DIGEST_CACHE_ENTRIES,
}: BearerKeyAuthOptions = {}): MiddlewareHandler<AppEnv> {
  // WebCrypto's digest is an async job (on Node a thread-pool round trip): a tenth of a cache
  // hit's CPU before this memo. Only keys the store knew go in, so junk keys cannot evict them.
  const digests =
    digestCacheEntries > 0 ? new LRUCache<string, string>({ max: digestCacheEntries }) : undefined
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
      const remembered = digests?.get(key)
      const hash = remembered ?? (await hashApiKey(key))
      const found = await keyStore.findByHash(hash)
      if (!found) throw new EdgeclipError('Invalid API key.', { status: 401, code: 'invalid_api_key' })
      if (remembered === undefined) digests?.set(key, hash)
      if (found.revoked) {
        throw new EdgeclipError(`API key ${found.id} has been revoked.`, { status: 403, code: 'key_revoked' })
      }
      return found
    })
    context.set('keyRecord', record)
    return next()
  }
}
