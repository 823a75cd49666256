// Every way an image fetch can fail, as the 4xx the client sees. Type and pixel refusals come from
// core's checkImageHeader, as for inline bytes and in the backend's decoder, so every path fails
// alike. The param is left for the caller, which knows which input held the URL.
import { EdgeclipError } from '@edgeclip/core'

export const imageFetchErrors = {
  invalidUrl: (reason: string) =>
    new EdgeclipError(`image URL is not usable: ${reason}`, { status: 400, code: 'invalid_image_url' }),
  forbiddenAddress: (host: string, reason: string) =>
    new EdgeclipError(`image URL host ${host} resolves to a non-public address (${reason})`, {
      status: 400,
      code: 'image_url_forbidden',
    }),
  tooManyRedirects: (limit: number) =>
    new EdgeclipError(`image URL redirected more than ${limit} times`, {
      status: 422,
      code: 'image_too_many_redirects',
    }),
  upstreamStatus: (status: number) =>
    new EdgeclipError(`image URL answered HTTP ${status}`, { status: 422, code: 'image_fetch_failed' }),
  unreachable: (cause: unknown) =>
    new EdgeclipError(`image URL could not be fetched: ${describe(cause)}`, {
      status: 422,
      code: 'image_fetch_failed',
      cause,
    }),
  // 422, not 408: the client sent its request in time; the host it pointed us at did not answer.
  timeout: (timeoutMs: number) =>
    new EdgeclipError(`image URL did not deliver within ${timeoutMs} ms`, {
      status: 422,
      code: 'image_fetch_timeout',
    }),
  tooManyBytes: (maxBytes: number) =>
    new EdgeclipError(`image is larger than ${maxBytes} bytes`, { status: 413, code: 'image_too_large' }),
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code
    return typeof code === 'string' ? `${code} (${cause.message})` : cause.message
  }
  return String(cause)
}
