// Typed errors, mapped from HTTP status as the OpenAI SDK does, so callers branch on classes.

/** Body of an error response, `{ error: { message, type, code, param } }` on an edgeclip gateway. */
export interface APIErrorBody {
  message?: string
  type?: string
  code?: string
  param?: string | null
  [key: string]: unknown
}

/** Base of every error this SDK throws. */
export class EdgeClipSDKError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
  }
}

/** A failed call: a non-2xx response, or no response at all (the connection subclasses). */
export class APIError extends EdgeClipSDKError {
  /** HTTP status; undefined when no response arrived. */
  readonly status: number | undefined
  /** The server's `x-request-id`, to quote in bug reports. */
  readonly requestID: string | undefined
  readonly headers: Headers | undefined
  /** The `error` object of the body (or the whole body when it has none). */
  readonly error: APIErrorBody | undefined
  readonly code: string | undefined
  readonly param: string | null | undefined
  readonly type: string | undefined

  constructor(
    status: number | undefined,
    error: APIErrorBody | undefined,
    message: string | undefined,
    headers: Headers | undefined,
    options?: { cause?: unknown },
  ) {
    super(APIError.describe(status, error, message), options)
    this.status = status
    this.headers = headers
    this.requestID = headers?.get('x-request-id') ?? undefined
    this.error = error
    this.code = typeof error?.code === 'string' ? error.code : undefined
    this.param = error?.param
    this.type = typeof error?.type === 'string' ? error.type : undefined
  }

  private static describe(
    status: number | undefined,
    error: APIErrorBody | undefined,
    message: string | undefined,
  ): string {
    const detail = typeof error?.message === 'string' ? error.message : message
    if (status !== undefined && detail) return `${status} ${detail}`
    if (status !== undefined) return `${status} status code (no body)`
    return detail ?? 'Connection error.'
  }

  /** The subclass for a status, so `catch (e) { if (e instanceof RateLimitError) … }` works. */
  static generate(
    status: number,
    body: unknown,
    message: string | undefined,
    headers: Headers | undefined,
  ): APIError {
    const error = errorObject(body)
    const ErrorClass = errorClassByStatus(status)
    return new ErrorClass(status, error, message, headers)
  }

  /** The item this error names (`param: "input[3]"` gives 3), or undefined for a request-wide one. */
  get itemIndex(): number | undefined {
    const match = typeof this.param === 'string' ? ITEM_PARAM.exec(this.param) : null
    return match ? Number(match[1]) : undefined
  }

  /**
   * The same error naming the caller's item: a job split into batches gets `input[3]` of a batch
   * that starts at `offset`, which is `input[offset + 3]` of the job (in `param` and the message).
   */
  shiftItem(offset: number): APIError {
    const index = this.itemIndex
    if (offset === 0 || index === undefined || !this.error) return this
    const from = `input[${index}]`
    const to = `input[${index + offset}]`
    const body: APIErrorBody = { ...this.error, param: (this.param as string).replace(from, to) }
    if (typeof body.message === 'string') body.message = body.message.replaceAll(from, to)
    const ErrorClass = this.constructor as typeof APIError
    return new ErrorClass(this.status, body, undefined, this.headers, { cause: this.cause })
  }
}

const ITEM_PARAM = /^input\[(\d+)\]/

function errorObject(body: unknown): APIErrorBody | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const nested = (body as { error?: unknown }).error
  if (typeof nested === 'object' && nested !== null) return nested as APIErrorBody
  return body as APIErrorBody
}

export class BadRequestError extends APIError {}
export class AuthenticationError extends APIError {}
export class PermissionDeniedError extends APIError {}
export class NotFoundError extends APIError {}
export class ConflictError extends APIError {}
export class PayloadTooLargeError extends APIError {}
export class UnsupportedMediaTypeError extends APIError {}
export class UnprocessableEntityError extends APIError {}
export class RateLimitError extends APIError {}
export class InternalServerError extends APIError {}

function errorClassByStatus(status: number): typeof APIError {
  if (status >= 500) return InternalServerError
  switch (status) {
    case 400:
      return BadRequestError
    case 401:
      return AuthenticationError
    case 403:
      return PermissionDeniedError
    case 404:
      return NotFoundError
    case 409:
      return ConflictError
    case 413:
      return PayloadTooLargeError
    case 415:
      return UnsupportedMediaTypeError
    case 422:
      return UnprocessableEntityError
    case 429:
      return RateLimitError
    default:
      return APIError
  }
}

/** No response: DNS, refused connection, reset, TLS, or a body that could not be read. */
export class APIConnectionError extends APIError {
  constructor(options: { message?: string; cause?: unknown } = {}) {
    super(undefined, undefined, options.message ?? 'Connection error.', undefined, { cause: options.cause })
  }
}

/** The per-request timeout fired (every retry included, the last attempt timed out). */
export class APIConnectionTimeoutError extends APIConnectionError {
  constructor(options: { message?: string } = {}) {
    super({ message: options.message ?? 'Request timed out.' })
  }
}

/** The caller's AbortSignal fired; never retried. */
export class APIUserAbortError extends APIError {
  constructor(options: { message?: string; cause?: unknown } = {}) {
    super(undefined, undefined, options.message ?? 'Request was aborted.', undefined, {
      cause: options.cause,
    })
  }
}
