// API keys: `ec_<id>_<secret>`. Only the sha256 of the whole key is stored; the id is public.
import { sha256Hex } from '../cache-key'
import type { ApiKeyRecord } from '../ports'

const KEY_PATTERN = /^ec_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/

function randomBase64Url(byteCount: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(byteCount))
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

function randomHex(byteCount: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(byteCount)), (byte) =>
    byte.toString(16).padStart(2, '0'),
  ).join('')
}

export function hashApiKey(key: string): Promise<string> {
  return sha256Hex([new TextEncoder().encode(key)])
}

/** The public id inside a well-formed key, or undefined for anything else. */
export function apiKeyId(key: string): string | undefined {
  return KEY_PATTERN.exec(key)?.[1]
}

export interface ApiKeyLimits {
  requestsPerMinute?: number
  tokensPerMinute?: number
}

export async function createApiKey(
  name: string,
  limits: ApiKeyLimits = {},
): Promise<{ key: string; record: ApiKeyRecord }> {
  const id = randomHex(6)
  const key = `ec_${id}_${randomBase64Url(32)}`
  const record: ApiKeyRecord = {
    id,
    name,
    hash: await hashApiKey(key),
    createdAt: new Date().toISOString(),
    revoked: false,
    ...(limits.requestsPerMinute === undefined ? {} : { requestsPerMinute: limits.requestsPerMinute }),
    ...(limits.tokensPerMinute === undefined ? {} : { tokensPerMinute: limits.tokensPerMinute }),
  }
  return { key, record }
}

/** Compares two hex digests in time independent of where they differ. */
export function timingSafeEqualHex(a: string, b: string): boolean {
  let difference = a.length ^ b.length
  const length = Math.max(a.length, b.length)
  for (let index = 0; index < length; index++) {
    difference |= (a.charCodeAt(index) | 0) ^ (b.charCodeAt(index) | 0)
  }
  return difference === 0
}
