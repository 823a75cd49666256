// How backend failures reach the client: 502 for answers we cannot use, 503 when the backend
// cannot be reached or sheds load (with retry-after), 504 when it does not answer in time.
import { EdgeclipError } from '@edgeclip/core'

export const backendErrors = {
  protocol: (cause: unknown) =>
    new EdgeclipError(`the GPU backend answered with an unreadable frame: ${messageOf(cause)}`, {
      status: 502,
      code: 'backend_protocol_error',
      cause,
    }),
  status: (status: number, detail: string) =>
    new EdgeclipError(`the GPU backend answered HTTP ${status}${detail ? `: ${detail}` : ''}`, {
      status: 502,
      code: status === 401 || status === 403 ? 'backend_auth_failed' : 'backend_error',
    }),
  failed: (cause: unknown) =>
    new EdgeclipError(`the GPU backend function failed: ${messageOf(cause)}`, {
      status: 502,
      code: 'backend_error',
      cause,
    }),
  overloaded: (retryAfter: number | undefined) =>
    new EdgeclipError('the GPU backend is overloaded', {
      status: 503,
      code: 'backend_overloaded',
      ...(retryAfter === undefined ? {} : { retryAfter }),
    }),
  unreachable: (cause: unknown) =>
    new EdgeclipError(`the GPU backend could not be reached: ${messageOf(cause)}`, {
      status: 503,
      code: 'backend_unavailable',
      retryAfter: 1,
      cause,
    }),
  coldStart: (retryAfter: number) =>
    new EdgeclipError(`the GPU backend is starting (cold start); retry in ${retryAfter} s`, {
      status: 503,
      code: 'backend_cold_start',
      retryAfter,
    }),
  timeout: (timeoutMs: number) =>
    new EdgeclipError(`the GPU backend did not answer within ${timeoutMs} ms`, {
      status: 504,
      code: 'backend_timeout',
    }),
}

/** Errors that say nothing about the backend's health and must not trip the breaker. */
export function isBackendHealthy(error: unknown): boolean {
  return error instanceof EdgeclipError && error.code === 'backend_overloaded'
}

function messageOf(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause)
  const code = (cause.cause as { code?: unknown } | undefined)?.code ?? (cause as { code?: unknown }).code
  return typeof code === 'string' ? `${cause.message} (${code})` : cause.message
}
