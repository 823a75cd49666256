// The part's load, once per isolate, with a backoff after a failure: a part whose file is missing
// or corrupt would otherwise re-read 36–59 MB from R2 (and try to build a session) on every
// request. While backing off, callers get the failure again at once, with how long to wait.
import { EdgeclipError, isEdgeclipError } from '@edgeclip/core'

/** The first wait after a failed load; each failure in a row doubles it, up to the cap. */
export const LOAD_BACKOFF_BASE_MS = 2_000
export const LOAD_BACKOFF_CAP_MS = 60_000

interface Failure {
  error: EdgeclipError
  until: number
  streak: number
}

/**
 * Any load failure becomes a 503 with a code (the part cannot serve; its texts can go elsewhere).
 * A failure that is not already an EdgeclipError (ONNX Runtime refusing a corrupt file) keeps its
 * text for the logs and the part's own callers; the gateway never shows it to anonymous callers.
 */
function asOutage(error: unknown): EdgeclipError {
  if (isEdgeclipError(error) && error.status === 503) return error
  return new EdgeclipError(`The edge part failed to load: ${String(error)}`, {
    status: 503,
    code: isEdgeclipError(error) ? error.code : 'edge_part_load_failed',
    cause: error,
  })
}

/** With the wait left (whole seconds, at least 1) as Retry-After. */
function withRetryAfter(error: EdgeclipError, milliseconds: number): EdgeclipError {
  return new EdgeclipError(error.message, {
    status: error.status,
    code: error.code,
    retryAfter: Math.max(1, Math.ceil(milliseconds / 1000)),
    cause: error.cause,
  })
}

export interface LoadWithBackoff<T> {
  /** The loaded value, the load in progress, or (while backing off) the last failure at once. */
  get(): Promise<T>
}

export function loadWithBackoff<T>(load: () => Promise<T>, now: () => number = Date.now): LoadWithBackoff<T> {
  let loading: Promise<T> | undefined
  let failure: Failure | undefined
  return {
    get() {
      if (loading) return loading
      if (failure && now() < failure.until) {
        return Promise.reject(withRetryAfter(failure.error, failure.until - now()))
      }
      const streak = failure?.streak ?? 0
      const attempt = load().then(
        (value) => {
          failure = undefined
          return value
        },
        (error: unknown) => {
          const wait = Math.min(LOAD_BACKOFF_CAP_MS, LOAD_BACKOFF_BASE_MS * 2 ** streak)
          const outage = asOutage(error)
          failure = { error: outage, until: now() + wait, streak: streak + 1 }
          loading = undefined
          throw withRetryAfter(outage, wait)
        },
      )
      loading = attempt
      return attempt
    },
  }
}
