// Stored records are data from outside the process (KV, a file another version wrote): check the
// shape instead of casting, and drop anything that is not a key record.
import type { ApiKeyRecord } from '@edgeclip/core'

export function parseApiKeyRecord(text: string): ApiKeyRecord | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const record = value as Record<string, unknown>
  if (
    typeof record.id !== 'string' ||
    typeof record.name !== 'string' ||
    typeof record.hash !== 'string' ||
    typeof record.createdAt !== 'string' ||
    typeof record.revoked !== 'boolean'
  ) {
    return undefined
  }
  return {
    id: record.id,
    name: record.name,
    hash: record.hash,
    createdAt: record.createdAt,
    revoked: record.revoked,
    ...optionalLimit('requestsPerMinute', record.requestsPerMinute),
    ...optionalLimit('tokensPerMinute', record.tokensPerMinute),
  }
}

function optionalLimit(name: 'requestsPerMinute' | 'tokensPerMinute', value: unknown) {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? { [name]: value } : {}
}
