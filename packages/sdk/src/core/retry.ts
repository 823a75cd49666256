// When to retry and how long to wait: the server's hint first, else capped exponential backoff.

export const INITIAL_RETRY_DELAY_MS = 500
export const MAX_RETRY_DELAY_MS = 8_000
/** Server hints longer than this are treated as "back off yourself", as the OpenAI SDK does. */
export const MAX_HONOURED_RETRY_AFTER_MS = 60_000
/** Up to this share of a backoff delay is shaved off at random, so clients do not retry in step. */
const JITTER_SHARE = 0.25

/** 408 timeout, 409 lock conflict, 429 rate limit and every 5xx are worth another try. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500
}

/** Milliseconds the server asked for in `retry-after-ms`, else `retry-after` (seconds or HTTP date). */
export function retryAfterFromHeaders(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined
  const milliseconds = headers.get('retry-after-ms')
  if (milliseconds !== null && milliseconds.trim() !== '') {
    const value = Number(milliseconds)
    if (Number.isFinite(value) && value >= 0) return value
  }
  const retryAfter = headers.get('retry-after')
  if (retryAfter === null || retryAfter.trim() === '') return undefined
  const seconds = Number(retryAfter)
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined
  const date = Date.parse(retryAfter)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

/**
 * Delay before retry number `retryIndex` (0 for the first retry).
 * @param random a number in [0, 1); injectable so tests can pin the jitter
 */
export function retryDelay(
  retryIndex: number,
  headers: Headers | undefined,
  random: () => number = Math.random,
): number {
  const hinted = retryAfterFromHeaders(headers)
  if (hinted !== undefined && hinted <= MAX_HONOURED_RETRY_AFTER_MS) return hinted
  const backoff = Math.min(INITIAL_RETRY_DELAY_MS * 2 ** retryIndex, MAX_RETRY_DELAY_MS)
  return backoff * (1 - random() * JITTER_SHARE)
}
